package lacme.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * lacme's {@code %}-specifiers: {@code %C %E %g %G %h %t %T %u %U %%}, resolved exactly as lacme
 * 0.8.2's {@code spec_expand} resolves them for a given real user: root gets /var/cache, /etc and
 * /run; others the XDG directories, falling back to {@code $HOME/.cache} and {@code $HOME/.config}
 * (the environment's HOME, as in lacme, while {@code %h} is the passwd entry's home). {@code %t}
 * for a non-root user needs XDG_RUNTIME_DIR. An undefined expansion or an unknown specifier is an
 * error naming the string; a {@code %} at the very end, or before a newline, stays as it is
 * (lacme's {@code s/%(.)/.../ge} does not match there).
 */
public final class Specifiers {
    private final Map<String, String> env;
    private final long uid;
    private final long gid;
    private final String user;
    private final String group;
    private final String home;

    private Specifiers(Map<String, String> env, long uid, long gid, String user, String group, String home) {
        this.env = env;
        this.uid = uid;
        this.gid = gid;
        this.user = user;
        this.group = group;
        this.home = home;
    }

    /**
     * Specifiers for this process: its real uid/gid (from /proc/self/status), their names and
     * the home directory from /etc/passwd and /etc/group, and its environment.
     */
    public static Specifiers forCurrentProcess() {
        long[] ids = realIds();
        return of(System.getenv(), ids[0], ids[1]);
    }

    /** Specifiers for a real uid/gid and an environment; names and home from the system files. */
    public static Specifiers of(Map<String, String> env, long uid, long gid) {
        Passwd.User u = Passwd.user(uid).orElse(null);
        return new Specifiers(env, uid, gid, u == null ? null : u.name(), Passwd.groupName(gid).orElse(null),
                u == null ? null : u.home());
    }

    /** For tests: explicit identity and environment. */
    public static Specifiers of(Map<String, String> env, long uid, long gid, String user, String group, String home) {
        return new Specifiers(env, uid, gid, user, group, home);
    }

    /** Real uid and gid from /proc/self/status (lacme uses $< and $( ), or -1. */
    private static long[] realIds() {
        long[] ids = {-1, -1};
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    ids[0] = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                } else if (line.startsWith("Gid:")) {
                    ids[1] = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // leave -1: every identity specifier is then undefined
        }
        return ids;
    }

    private String envOr(String name, String dflt) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    private String envHome() {
        String h = env.get("HOME");
        return h == null ? "" : h;
    }

    /** Expands every specifier in {@code s}. */
    public String expand(String s) throws ConfigException {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%' || i + 1 >= s.length() || s.charAt(i + 1) == '\n') {
                out.append(c); // lacme's s/%(.)//g leaves a trailing % (or one before \n) alone
                continue;
            }
            char spec = s.charAt(++i);
            String x;
            switch (spec) {
                case 'C': x = uid == 0 ? "/var/cache" : envOr("XDG_CACHE_HOME", envHome() + "/.cache"); break;
                case 'E': x = uid == 0 ? "/etc" : envOr("XDG_CONFIG_HOME", envHome() + "/.config"); break;
                case 'g': x = group; break;
                case 'G': x = gid < 0 ? null : Long.toString(gid); break;
                case 'h': x = home; break;
                case 'u': x = user; break;
                case 'U': x = uid < 0 ? null : Long.toString(uid); break;
                case 't': x = uid == 0 ? "/run" : env.get("XDG_RUNTIME_DIR"); break;
                case 'T': x = envOr("TMPDIR", "/tmp"); break;
                case '%': x = "%"; break;
                default:
                    throw new ConfigException("\"" + s + "\" has unknown specifier %" + spec);
            }
            if (x == null) {
                throw new ConfigException("Undefined expansion %" + spec + " in \"" + s + "\"");
            }
            out.append(x);
        }
        return out.toString();
    }
}
