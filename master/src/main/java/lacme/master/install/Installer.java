package lacme.master.install;

import static lacme.common.io.Errno.reason;

import lacme.common.config.Passwd;
import lacme.master.fs.SafeDirs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Set;

/**
 * Installs a certificate file the way lacme 0.8.2's {@code install_cert} does, so that a
 * working certificate is never lost and so that a user who can write the target's directory
 * (a service user named in {@code owner}, say) cannot turn root's chown/chmod/write onto
 * another file. Perl lacme does these through the one handle it created; the JDK has no fchown
 * on a channel, so the file is made where nobody else can reach it:
 * <ol>
 * <li>the target directory is opened once ({@link SafeDirs#open}); every later step names
 *     entries relative to that descriptor, never by path;</li>
 * <li>a private directory {@code <name>.lacme-<random>.d} is made in it, opened without
 *     following links and {@linkplain SafeDirs#seal sealed} (ours, 0700, empty; a racer may
 *     rename it or put a link or their own directory in its place: then the open or the check
 *     fails);</li>
 * <li>inside it, where no other user can create, rename or link anything, the file
 *     {@code <name>.tmp} is created (O_EXCL, O_NOFOLLOW, 0600), locked (so another run knows
 *     it is live, see {@link InstallLeftovers}), written, fsynced, then chowned and chmodded
 *     through the private directory's descriptor;</li>
 * <li>its identity (file key, size) is checked, it is renamed (renameat) from the private
 *     directory's descriptor to the target directory's, under the final name, and the
 *     directory is fsynced;</li>
 * <li>the private directory is removed through the target directory's descriptor if it is
 *     still the one made.</li>
 * </ol>
 * Any failure removes what was made and leaves the old certificate untouched.
 * <ul>
 * <li>mode: lacme's {@code mode // chmod // ""} (the caller picks); empty means 0644 minus the
 *     umask; otherwise it must be digits ("Not an octal string: X") read as Perl's {@code oct}
 *     reads them (an 8 or 9 ends the number); set-user-ID, set-group-ID and sticky bits have no
 *     descriptor-based setter in the JDK and no use on a certificate, and are refused;</li>
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
        if ((m & 07000) != 0) {
            throw new IOException("chmod: mode " + mode + ": set-user-ID, set-group-ID and sticky bits"
                    + " are not set on a certificate file");
        }
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        UserPrincipal uid = null;
        GroupPrincipal gid = null;
        if (owner != null && !owner.isEmpty()) {
            String[] ug = owner.split(":", 2);
            if (Passwd.user(ug[0]).isEmpty()) {
                throw new IOException("getpwnam(" + ug[0] + ")");
            }
            uid = lookup.lookupPrincipalByName(ug[0]);
            if (ug.length > 1) {
                if (Passwd.gid(ug[1]).isEmpty()) {
                    throw new IOException("getgrnam(" + ug[1] + ")");
                }
                gid = lookup.lookupPrincipalByGroupName(ug[1]);
            }
        }
        Path dir = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        byte[] bytes = content.getBytes(StandardCharsets.US_ASCII);
        try (SecureDirectoryStream<Path> d = openTargetDir(dir)) {
            InstallLeftovers.remove(d, name);
            String priv = name + InstallLeftovers.PRIVATE_INFIX + SafeDirs.random() + InstallLeftovers.PRIVATE_SUFFIX;
            try {
                Files.createDirectory(dir.resolve(priv), PosixFilePermissions.asFileAttribute(SafeDirs.RWX_OWNER));
            } catch (IOException e) {
                throw new IOException("Can't create a temporary directory in " + dir + ": " + reason(e), e);
            }
            Object privKey = null;
            try (SecureDirectoryStream<Path> p = SafeDirs.openChild(d, priv)) {
                privKey = SafeDirs.seal(p, dir.resolve(priv)).fileKey();
                writeInto(p, d, name, bytes, uid, gid, m);
            } catch (FileSystemLoopException | NotDirectoryException e) {
                throw new IOException("the temporary directory " + dir.resolve(priv) + " was tampered with", e);
            } finally {
                if (privKey != null) {
                    try {
                        SafeDirs.deleteDirectoryIf(d, priv, privKey);
                    } catch (IOException e) {
                        // left for the next run's InstallLeftovers; the install's own outcome stands
                    }
                }
            }
        }
        try (FileChannel dc = FileChannel.open(dir, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            dc.force(true); // make the rename itself durable
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the rename has happened
        }
    }

    private static SecureDirectoryStream<Path> openTargetDir(Path dir) throws IOException {
        try {
            return SafeDirs.open(dir);
        } catch (IOException e) {
            throw new IOException("Can't open directory " + dir + ": " + reason(e), e);
        }
    }

    /** Steps 3 and 4: the file inside the private directory {@code p}, then the rename into {@code d}. */
    private static void writeInto(SecureDirectoryStream<Path> p, SecureDirectoryStream<Path> d, String name,
                                  byte[] bytes, UserPrincipal uid, GroupPrincipal gid, int mode) throws IOException {
        Path tmp = Path.of(name + InstallLeftovers.TMP_SUFFIX);
        boolean done = false;
        try (FileChannel ch = (FileChannel) p.newByteChannel(tmp, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            try {
                ch.tryLock(); // held until the rename: marks the file as a live run's, not a leftover
            } catch (IOException e) {
                // a file system without locks (some NFS): the install goes on, unmarked
            }
            Object key = SafeDirs.stat(p, tmp.toString()).fileKey();
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
            PosixFileAttributeView v = p.getFileAttributeView(tmp, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            try {
                if (uid != null) {
                    v.setOwner(uid);
                }
                if (gid != null) {
                    v.setGroup(gid);
                }
            } catch (IOException e) {
                throw new IOException("chown: " + reason(e), e);
            }
            try {
                v.setPermissions(permissions(mode));
            } catch (IOException e) {
                throw new IOException("chmod: " + reason(e), e);
            }
            PosixFileAttributes a = v.readAttributes();
            if (!a.isRegularFile() || !key.equals(a.fileKey()) || a.size() != bytes.length) {
                throw new IOException("the temporary file was replaced before the rename");
            }
            try {
                p.move(tmp, d, Path.of(name));
            } catch (IOException e) {
                throw new IOException("rename(" + tmp + ", " + name + "): " + reason(e), e);
            }
            done = true;
        } finally {
            if (!done) {
                SafeDirs.deleteFile(p, tmp.toString());
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                s.add(bits[i]);
            }
        }
        return s;
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
