package lacme.master.spawn;

import lacme.common.config.Passwd;
import lacme.common.config.Specifiers;
import lacme.master.Fatal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where a child's identity is decided. Java cannot fork, so the drop is an exec
 * wrapper: {@code setpriv} sets real and effective uid/gid, reduces the supplementary groups
 * to the configured group, sets no_new_privs and empties the inheritable and bounding
 * capability sets before exec'ing the program — so nothing the child later runs can regain
 * root, and even a child left as uid 0 (group-only drop) has no effective capability after
 * exec. Empty user and group skip the drop, as in lacme. The environment is rebuilt from
 * scratch for the target user so nothing of root's leaks into the child, and
 * {@link #specifiers()} expands {@code %}-specifiers as the target user would see them
 * (lacme expands the accountd command after its privilege drop).
 */
public final class PrivDrop {
    /** Path of util-linux's setpriv. */
    public static final String SETPRIV = "/usr/bin/setpriv";

    private final String user;
    private final String group;
    private final Passwd.User target;
    private final Long gid;

    private PrivDrop(String user, String group, Passwd.User target, Long gid) {
        this.user = user;
        this.group = group;
        this.target = target;
        this.gid = gid;
    }

    /** Resolves user and group now, so a typo fails before anything is spawned. */
    public static PrivDrop of(String user, String group) throws Fatal {
        user = user == null ? "" : user;
        group = group == null ? "" : group;
        Passwd.User u = null;
        if (!user.isEmpty()) {
            final String name = user;
            u = Passwd.user(name).orElseThrow(() -> new Fatal("getpwnam(" + name + "): no such user"));
        }
        Long g = null;
        if (!group.isEmpty()) {
            final String name = group;
            g = Passwd.gid(name).orElseThrow(() -> new Fatal("getgrnam(" + name + "): no such group"));
        }
        return new PrivDrop(user, group, u, g);
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
        a.add("--");
        return a;
    }

    /**
     * The child's whole environment: USER LOGNAME HOME SHELL PATH, and TERM and JAVA_HOME
     * when set (the launchers need to find a JVM; neither carries a secret).
     */
    public Map<String, String> environment() {
        Passwd.User u = target != null ? target : Passwd.user(currentUid()).orElse(null);
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
        Passwd.User u = target != null ? target : Passwd.user(currentUid()).orElse(null);
        long g = gid != null ? gid : currentGid();
        String gname = !group.isEmpty() ? group : Passwd.groupName(g).orElse(null);
        return Specifiers.of(environment(), u != null ? u.uid() : currentUid(), g,
                u != null ? u.name() : null, gname, u != null ? u.home() : null);
    }

    static long currentGid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
        } catch (IOException e) {
            return -1;
        }
    }

    static long currentUid() {
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
