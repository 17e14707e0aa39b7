package lacme.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Look-ups in /etc/passwd and /etc/group (the system databases lacme resolves users and
 * groups from; NSS modules beyond files are not consulted).
 */
public final class Passwd {
    private Passwd() {
    }

    /** A passwd entry. */
    public record User(String name, long uid, long gid, String home, String shell) {
    }

    private static Optional<String[]> find(String file, int keyField, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && f[keyField].equals(key)) {
                    return Optional.of(f);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The user by name, or empty. */
    public static Optional<User> user(String name) {
        return find("/etc/passwd", 0, name).filter(f -> f.length >= 7)
                .map(f -> new User(f[0], Long.parseLong(f[2]), Long.parseLong(f[3]), f[5], f[6]));
    }

    /** The user by uid, or empty. */
    public static Optional<User> user(long uid) {
        return find("/etc/passwd", 2, Long.toString(uid)).filter(f -> f.length >= 7)
                .map(f -> new User(f[0], Long.parseLong(f[2]), Long.parseLong(f[3]), f[5], f[6]));
    }

    /** The gid of a group by name, or empty. */
    public static Optional<Long> gid(String group) {
        return find("/etc/group", 0, group).map(f -> Long.parseLong(f[2]));
    }

    /** The name of a group by gid, or empty. */
    public static Optional<String> groupName(long gid) {
        return find("/etc/group", 2, Long.toString(gid)).map(f -> f[0]);
    }

    static String home(long uid) {
        return user(uid).map(User::home).orElse(System.getProperty("user.home"));
    }
}
