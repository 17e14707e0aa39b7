package lacme.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;

/**
 * lacme's {@code %}-specifiers: {@code %C %E %g %G %h %t %T %u %U %%}, resolved for the
 * current process' real user as lacme does (root gets /var/cache, /etc, /run; others the XDG
 * directories). {@code %t} for a non-root user needs XDG_RUNTIME_DIR; an undefined expansion
 * or unknown specifier is an error naming the string.
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
     * Specifiers for this process: its uid/gid and their names from the owner of /proc/self,
     * its home directory from /etc/passwd.
     */
    public static Specifiers forCurrentProcess() {
        long uid = -1;
        long gid = -1;
        try {
            PosixFileAttributes a = Files.readAttributes(Path.of("/proc/self"), PosixFileAttributes.class);
            uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
            return new Specifiers(System.getenv(), uid, gid, a.owner().getName(), a.group().getName(),
                    Passwd.home(uid));
        } catch (IOException | RuntimeException e) {
            return new Specifiers(System.getenv(), uid, gid, null, null, System.getProperty("user.home"));
        }
    }

    /** For tests: explicit identity and environment. */
    public static Specifiers of(Map<String, String> env, long uid, long gid, String user, String group, String home) {
        return new Specifiers(env, uid, gid, user, group, home);
    }

    private String envOr(String name, String dflt) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    /** Expands every specifier in {@code s}. */
    public String expand(String s) throws ConfigException {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 >= s.length()) {
                out.append(c); // lacme's s/%(.)//g leaves a trailing % alone
                continue;
            }
            char spec = s.charAt(++i);
            String x;
            switch (spec) {
                case 'C': x = uid == 0 ? "/var/cache" : envOr("XDG_CACHE_HOME", home + "/.cache"); break;
                case 'E': x = uid == 0 ? "/etc" : envOr("XDG_CONFIG_HOME", home + "/.config"); break;
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
