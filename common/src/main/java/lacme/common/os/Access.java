package lacme.common.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether a user could run a program, judged by root before it spawns the child: a command
 * the dropped child cannot reach (e.g. a distribution unpacked under root's mode-0700 home)
 * otherwise fails inside the child with a shell error and a child exit status; a sysadmin
 * wants one line naming the file and the directory in the way. The check applies the classic
 * owner/group/other mode bits as the kernel does for a process without capabilities (the
 * child has none after setpriv, even as uid 0); ACLs are not consulted, so a grant by ACL
 * alone is reported as missing (conservative: the child is never started on a guess).
 */
public final class Access {
    private static final int READ = 4;
    private static final int EXEC = 1;

    private Access() {
    }

    /**
     * Why uid/gid cannot read and execute {@code command} (a path, relative to {@code cwd},
     * or a name looked up in {@code path} as execvp would), or null when it can. A command
     * that does not exist at all is left to exec to report (null).
     *
     * @param who how the user is named in the message
     */
    public static String cannotRun(String command, Path cwd, String path, long uid, long gid, String who) {
        List<Path> candidates = new ArrayList<>();
        if (command.contains("/")) {
            candidates.add(cwd.resolve(command));
        } else if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, command));
                }
            }
        }
        String first = null;
        for (Path c : candidates) {
            if (!Files.exists(c)) {
                continue;
            }
            String why = why(c, uid, gid);
            if (why == null) {
                return null;
            }
            if (first == null) {
                first = c + " is not readable/executable by " + who + " (" + why + ")";
            }
        }
        return first;
    }

    /**
     * The first obstacle on the way to {@code file}: a directory without search permission
     * (on the path as written, and on its real path when symbolic links lead elsewhere), or
     * the file itself without read and execute permission; null when there is none.
     */
    static String why(Path file, long uid, long gid) {
        try {
            Path abs = file.toAbsolutePath().normalize();
            Path real = abs.toRealPath();
            for (Path p : real.equals(abs) ? List.of(abs) : List.of(abs, real)) {
                for (int i = 0; i < p.getNameCount(); i++) {
                    Path dir = i == 0 ? p.getRoot() : p.getRoot().resolve(p.subpath(0, i));
                    if (!allowed(dir, uid, gid, EXEC)) {
                        return dir + " is mode " + mode(dir);
                    }
                }
            }
            if (!allowed(real, uid, gid, READ | EXEC)) {
                return (real.equals(abs) ? "" : real + ", ") + "mode " + mode(real);
            }
            return null;
        } catch (NoSuchFileException e) {
            return "no such file: " + e.getFile();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Whether uid/gid has all of {@code want} (rwx bits, 4/2/1) on {@code p} (links followed). */
    static boolean allowed(Path p, long uid, long gid, int want) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid");
        int mode = (Integer) a.get("mode");
        int bits;
        if (((Number) a.get("uid")).longValue() == uid) {
            bits = mode >> 6;
        } else if (((Number) a.get("gid")).longValue() == gid) {
            bits = mode >> 3;
        } else {
            bits = mode;
        }
        return (bits & want) == want;
    }

    private static String mode(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.values());
        return String.format("%04o", mode & 07777);
    }
}
