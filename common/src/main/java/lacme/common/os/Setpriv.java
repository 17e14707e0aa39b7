package lacme.common.os;

import lacme.common.config.Passwd;
import lacme.common.config.Specifiers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a child's identity is dropped, for the master's children and the standalone
 * webserver's alike. Java cannot fork, so the drop is an exec wrapper: {@code setpriv} sets real and effective uid/gid, reduces the supplementary groups
 * to the configured group, sets no_new_privs and empties the inheritable and bounding
 * capability sets before exec'ing the program — so nothing the child later runs can regain
 * root, and even a child left as uid 0 (group-only drop) has no effective capability after
 * exec. Empty user and group skip the drop, as in lacme. The environment is rebuilt from
 * scratch for the target user so nothing of root's leaks into the child (the same variables
 * for every child), {@link #cannotRun} tells root beforehand when the target user could not
 * even reach the program, and {@link #specifiers()} expands {@code %}-specifiers as the target user would see them
 * (lacme expands the accountd command after its privilege drop).
 */
public class Setpriv {
    /** Path of util-linux's setpriv: absolute, so root never runs a PATH-resolved program. */
    public static final String SETPRIV = "/usr/bin/setpriv";

    private final String user;
    private final String group;
    private final Passwd.User target;
    private final Long gid;

    private Setpriv(String user, String group, Passwd.User target, Long gid) {
        this.user = user;
        this.group = group;
        this.target = target;
        this.gid = gid;
    }

    /** A copy, for a subclass that only adds how resolution errors are reported. */
    protected Setpriv(Setpriv other) {
        this(other.user, other.group, other.target, other.gid);
    }

    /**
     * Resolves user and group now, so a typo fails before anything is spawned; an unknown
     * name is an {@link IllegalArgumentException} naming the failed look-up.
     */
    public static Setpriv resolve(String user, String group) {
        user = user == null ? "" : user;
        group = group == null ? "" : group;
        Passwd.User u = null;
        if (!user.isEmpty()) {
            final String name = user;
            u = Passwd.user(name).orElseThrow(() -> new IllegalArgumentException("getpwnam(" + name + "): no such user"));
        }
        Long g = null;
        if (!group.isEmpty()) {
            final String name = group;
            g = Passwd.gid(name).orElseThrow(() -> new IllegalArgumentException("getgrnam(" + name + "): no such group"));
        }
        return new Setpriv(user, group, u, g);
    }

    /** True when a drop happens. */
    public boolean drops() {
        return !user.isEmpty() || !group.isEmpty();
    }

    /** The uid the child runs as, or -1 when unchanged. */
    public long uid() {
        return target == null ? -1 : target.uid();
    }

    /** The gid the child runs as, or -1 when unchanged. */
    public long gid() {
        return gid == null ? -1 : gid;
    }

    /** The user the child runs as (the master's own when unchanged), or null if unknown. */
    public Passwd.User target() {
        return target != null ? target : Passwd.user(currentUid()).orElse(null);
    }

    /**
     * Why the child could not read and execute {@code command} (see {@link Access}), or
     * null when it can or when there is no drop (root keeps its capabilities).
     */
    public String cannotRun(String command, Path cwd) {
        if (!drops()) {
            return null;
        }
        Passwd.User u = target();
        long uid = u != null ? u.uid() : currentUid();
        long g = gid != null ? gid : currentGid();
        String who = user.isEmpty() ? "uid " + uid + " group " + group : user;
        return Access.cannotRun(command, cwd, environment().get("PATH"), uid, g, who);
    }

    /** The argv prefix that performs the drop (empty when there is none). */
    public List<String> prefix() {
        List<String> a = new ArrayList<>();
        if (!drops()) {
            return a;
        }
        a.add(SETPRIV);
        if (gid != null) {
            a.add("--regid=" + gid);
            a.add("--groups=" + gid);
        } else {
            a.add("--clear-groups");
        }
        if (target != null) {
            a.add("--reuid=" + target.uid());
        }
        a.add("--no-new-privs");
        a.add("--inh-caps=-all");
        a.add("--bounding-set=-all");
        // the uid change clears the parent-death signal unshare --kill-child set: set it again,
        // so the child (init of its PID namespace, see Contain) dies with the master's unshare
        a.add("--pdeathsig=SIGKILL");
        a.add("--");
        return a;
    }

    /**
     * The child's whole environment: USER LOGNAME HOME SHELL PATH, and TERM and JAVA_HOME
     * when set (the launchers need to find a JVM; neither carries a secret).
     */
    public Map<String, String> environment() {
        Passwd.User u = target();
        Map<String, String> env = new LinkedHashMap<>();
        if (u != null) {
            env.put("USER", u.name());
            env.put("LOGNAME", u.name());
            env.put("HOME", u.home());
            env.put("SHELL", u.shell());
        }
        env.put("PATH", u != null && u.uid() == 0 ? "/usr/sbin:/usr/bin:/sbin:/bin" : "/usr/bin:/bin");
        String term = System.getenv("TERM");
        if (term != null) {
            env.put("TERM", term);
        }
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome);
        }
        return env;
    }

    /**
     * {@code %}-specifiers as lacme resolves them in the child after {@code drop_privileges}:
     * for the target uid/gid (unchanged ones stay the master's) with the child's clean
     * environment, so e.g. {@code %h} is the target's home and {@code %t} of a non-root
     * target is undefined (no XDG_RUNTIME_DIR).
     */
    public Specifiers specifiers() {
        Passwd.User u = target();
        long g = gid != null ? gid : currentGid();
        String gname = !group.isEmpty() ? group : Passwd.groupName(g).orElse(null);
        return Specifiers.of(environment(), u != null ? u.uid() : currentUid(), g,
                u != null ? u.name() : null, gname, u != null ? u.home() : null);
    }

    /** This process' gid. */
    public static long currentGid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
        } catch (IOException e) {
            return -1;
        }
    }

    /** This process' uid. */
    public static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return drops() ? (user.isEmpty() ? "" : user) + ":" + (group.isEmpty() ? "" : group) : "(no drop)";
    }
}
