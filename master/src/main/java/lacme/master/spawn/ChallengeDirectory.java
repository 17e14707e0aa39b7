package lacme.master.spawn;

import lacme.common.config.ConfigException;
import lacme.common.config.Passwd;
import lacme.common.config.Specifiers;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import lacme.master.fs.SafeDirs;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The directory the client writes challenge files to and the webserver serves.
 *
 * <p>Temporary (the default): {@code $TMPDIR/lacme.<random>/acme-challenge.<random>}. The
 * outer directory is root's, mode 0711, so the client user who owns the inner one (it writes
 * the tokens; the webserver only reads) cannot rename it or put a link in its place; it holds
 * {@code .lock}, fcntl-locked for the run, which tells a later run this one is live. Both are
 * kept open from creation and removed on cleanup through those descriptors, never by path, so
 * nothing the client (or anyone who can write {@code $TMPDIR}) renames or links redirects root.
 * Each run also removes such directories that earlier runs, killed, left behind (root's, sealed,
 * lock not held).
 *
 * <p>Configured ({@code challenge-directory}, an existing HTTP server): as lacme, it must be
 * empty, is locked with a mode-0600 lock file, and is emptied on exit — through the descriptor
 * opened at start.
 */
public final class ChallengeDirectory {
    /** The lock file lacme creates in a configured challenge directory. */
    static final String LOCK = ".lacme.lock";
    /** The lock file in a temporary directory's root-owned parent. */
    static final String PARENT_LOCK = ".lock";
    static final Pattern PARENT = Pattern.compile("lacme\\.[0-9a-f]{16}");
    /** A challenge directory a killed run made but had not yet moved into its parent. */
    static final Pattern UNMOVED = Pattern.compile("acme-challenge\\.[0-9a-f]{16}");
    /** A parent without lock file younger than this may be a live run's between mkdir and lock. */
    static final Duration GRACE = Duration.ofMinutes(10);

    private ChallengeDirectory() {
    }

    /** The temporary challenge directory's base: $TMPDIR, else /tmp. */
    static Path base() {
        return Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"));
    }

    /** Creates the temporary challenge directory in {@code base} and registers its removal. */
    public static Path create(Path base, String clientUser, Cleanup cleanup) throws Fatal {
        try {
            Passwd.User client = clientUser == null || clientUser.isEmpty() ? null : Passwd.user(clientUser)
                    .orElseThrow(() -> new Fatal("getpwnam(" + clientUser + "): no such user"));
            SecureDirectoryStream<Path> b = SafeDirs.open(base);
            cleanup.add(b::close);
            removeLeftovers(b);
            String random = SafeDirs.random();
            String parentName = "lacme." + random;
            Files.createDirectory(base.resolve(parentName), PosixFilePermissions.asFileAttribute(SafeDirs.RWX_OWNER));
            SecureDirectoryStream<Path> parent = SafeDirs.openChild(b, parentName);
            cleanup.add(parent::close);
            PosixFileAttributes pa = SafeDirs.seal(parent, base.resolve(parentName));
            cleanup.add(() -> SafeDirs.deleteDirectoryIf(b, parentName, pa.fileKey()));
            FileChannel lock = (FileChannel) parent.newByteChannel(Path.of(PARENT_LOCK),
                    Set.<OpenOption>of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            cleanup.add(lock::close);
            cleanup.add(() -> SafeDirs.deleteFile(parent, PARENT_LOCK)); // while still locked
            lock.tryLock();
            // the webserver and the client (other users) pass through it, list nothing in it
            parent.getFileAttributeView(PosixFileAttributeView.class)
                    .setPermissions(PosixFilePermissions.fromString("rwx--x--x"));
            // no mkdirat in the JDK: made beside the parent (a final component: mkdir follows no
            // link there), then renamed into it from descriptor to descriptor and checked
            String name = "acme-challenge." + random;
            Files.createDirectory(base.resolve(name), PosixFilePermissions.asFileAttribute(SafeDirs.RWX_OWNER));
            SecureDirectoryStream<Path> inner = SafeDirs.openChild(b, name);
            cleanup.add(inner::close);
            Object key = SafeDirs.seal(inner, base.resolve(name)).fileKey();
            b.move(Path.of(name), parent, Path.of(name));
            cleanup.add(() -> SafeDirs.deleteDirectoryIf(parent, name, key));
            cleanup.add(() -> SafeDirs.emptyTree(inner));
            if (!key.equals(SafeDirs.stat(parent, name).fileKey())) {
                throw new IOException(base.resolve(name) + " was swapped before it was moved");
            }
            PosixFileAttributeView v = inner.getFileAttributeView(PosixFileAttributeView.class);
            v.setPermissions(PosixFilePermissions.fromString("rwxr-xr-x"));
            if (client != null) {
                v.setOwner(base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(client.name()));
            }
            return base.resolve(parentName).resolve(name);
        } catch (IOException e) {
            throw new Fatal("Couldn't create the challenge directory: " + e.getMessage());
        }
    }

    /** Removes challenge directories that killed runs left in the opened base directory. */
    static void removeLeftovers(SecureDirectoryStream<Path> base) {
        List<String> found = new ArrayList<>();
        for (Path p : base) {
            String n = p.getFileName().toString();
            if (PARENT.matcher(n).matches() || UNMOVED.matcher(n).matches()) {
                found.add(n);
            }
        }
        for (String n : found) {
            SafeDirs.removeDead(base, n, PARENT_LOCK, GRACE);
        }
    }

    /** Checks, locks and registers the emptying of a configured {@code challenge-directory}. */
    public static Path useExisting(String configured, Specifiers sp, Cleanup cleanup, Logger log) throws Fatal {
        Path dir;
        try {
            dir = Path.of(sp.expand(configured));
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
        log.debug("Using existing webserver on {}", dir);
        SecureDirectoryStream<Path> d;
        try {
            d = SafeDirs.open(dir);
        } catch (IOException e) {
            throw new Fatal("opendir(" + dir + "): " + e.getMessage());
        }
        cleanup.add(d::close);
        if (d.iterator().hasNext()) {
            throw new Fatal("Refusing to use non-empty challenge directory " + dir);
        }
        try (SeekableByteChannel o = d.newByteChannel(Path.of(LOCK), EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            o.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new Fatal("Can't create lockfile in challenge directory " + dir + ": " + e.getMessage());
        }
        cleanup.add(() -> {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = SafeDirs.openChild(d, ".")) { // listed through the same descriptor
                ds.forEach(p -> files.add(p.getFileName()));
            }
            for (Path p : files) {
                try {
                    if (!p.toString().equals(LOCK)) {
                        SafeDirs.deleteFile(d, p.toString());
                    }
                } catch (IOException e) {
                    log.warn("unlink({}): {}", dir.resolve(p), e.toString());
                }
            }
            SafeDirs.deleteFile(d, LOCK); // last, so a concurrent run cannot start before we are done
        });
        return dir;
    }
}
