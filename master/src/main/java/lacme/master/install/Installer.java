package lacme.master.install;

import static lacme.common.io.Errno.reason;

import lacme.common.config.Passwd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Installs a certificate file the way lacme 0.8.2's {@code install_cert} does, and so that a
 * working certificate is never lost: the content goes to a temporary file in the target's own
 * directory, which gets its mode and owner and is fsynced, and only then renamed over the
 * target. Any failure removes the temporary file and leaves the old certificate untouched.
 * <ul>
 * <li>mode: lacme's {@code mode // chmod // ""} (the caller picks); empty means 0644 minus the
 *     umask; otherwise it must be digits ("Not an octal string: X") read as Perl's {@code oct}
 *     reads them (an 8 or 9 ends the number);</li>
 * <li>owner: {@code owner // chown // ""}; {@code user[:group]}, both looked up by name (an
 *     empty or unknown name is an error: "getpwnam(X)", "getgrnam(X)").</li>
 * </ul>
 */
public final class Installer {
    private Installer() {
    }

    /**
     * @param mode  digits or empty
     * @param owner {@code user[:group]} or empty
     */
    public static void install(Path target, String content, String mode, String owner) throws IOException {
        int m = mode(mode);
        long uid = -1;
        long gid = -1;
        if (owner != null && !owner.isEmpty()) {
            String[] ug = owner.split(":", 2);
            uid = Passwd.user(ug[0]).map(Passwd.User::uid)
                    .orElseThrow(() -> new IOException("getpwnam(" + ug[0] + ")"));
            if (ug.length > 1) {
                gid = Passwd.gid(ug[1]).orElseThrow(() -> new IOException("getgrnam(" + ug[1] + ")"));
            }
        }
        Path dir = target.toAbsolutePath().getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new IOException("Can't create a temporary file in " + dir + ": " + reason(e), e);
        }
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            if (uid >= 0 || gid >= 0) {
                try {
                    if (uid >= 0) {
                        Files.setAttribute(tmp, "unix:uid", (int) uid);
                    }
                    if (gid >= 0) {
                        Files.setAttribute(tmp, "unix:gid", (int) gid);
                    }
                } catch (IOException e) {
                    throw new IOException("chown: " + reason(e), e);
                }
            }
            try {
                Files.setAttribute(tmp, "unix:mode", m);
            } catch (IOException e) {
                throw new IOException("chmod: " + reason(e), e);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new IOException("rename(" + tmp + ", " + target + "): " + reason(e), e);
            }
            done = true;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // make the rename itself durable
            } catch (IOException e) {
                // some file systems cannot fsync a directory; the rename has happened
            }
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The file mode lacme would set. */
    static int mode(String mode) throws IOException {
        if (mode == null || mode.isEmpty()) {
            return 0644 & ~umask();
        }
        if (!mode.matches("[0-9]+")) {
            throw new IOException("Not an octal string: " + mode);
        }
        long v = 0;
        for (char c : mode.toCharArray()) {
            if (c > '7') {
                break; // Perl's oct(): "Illegal octal digit ignored"
            }
            v = (v << 3) | (c - '0');
            if (v > 07777777) {
                v &= 07777777;
            }
        }
        return (int) (v & 07777);
    }

    /** This process' umask, from /proc/self/status (022 if unknown). */
    static int umask() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("Umask:")) {
                    return Integer.parseInt(l.substring(6).trim(), 8);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 022;
    }
}
