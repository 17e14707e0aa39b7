package lacme.master.install;

import lacme.common.config.Passwd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Installs a certificate file so that a working certificate is never lost: the content goes
 * to a temporary file in the target's own directory (same file system), which is fsynced,
 * given its mode and owner, and only then renamed over the target. Any failure removes the
 * temporary file and leaves the old certificate untouched.
 */
public final class Installer {
    private Installer() {
    }

    /**
     * @param mode  octal string or empty (0644)
     * @param owner {@code user[:group]} or empty (unchanged)
     */
    public static void install(Path target, String content, String mode, String owner) throws IOException {
        int m = 0644;
        if (mode != null && !mode.isEmpty()) {
            if (!mode.matches("[0-7]+")) {
                throw new IOException("Not an octal string: " + mode);
            }
            m = Integer.parseInt(mode, 8);
        }
        Long uid = null;
        Long gid = null;
        if (owner != null && !owner.isEmpty()) {
            String[] ug = owner.split(":", 2);
            uid = Passwd.user(ug[0]).map(Passwd.User::uid)
                    .orElseThrow(() -> new IOException("getpwnam(" + ug[0] + "): no such user"));
            if (ug.length > 1 && !ug[1].isEmpty()) {
                gid = Passwd.gid(ug[1]).orElseThrow(() -> new IOException("getgrnam(" + ug[1] + "): no such group"));
            }
        }
        Path dir = target.toAbsolutePath().getParent();
        Set<PosixFilePermission> initial = PosixFilePermissions.fromString("rw-------");
        Path tmp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(initial));
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            if (uid != null) {
                Files.setAttribute(tmp, "unix:uid", (int) (long) uid);
            }
            if (gid != null) {
                Files.setAttribute(tmp, "unix:gid", (int) (long) gid);
            }
            Files.setAttribute(tmp, "unix:mode", m);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
}
