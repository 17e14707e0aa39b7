package lacme.master.install;

import lacme.master.fs.SafeDirs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes, beside a certificate about to be installed, what an earlier run killed mid-install
 * left — and only what is provably an install's own: a name of {@link Installer}'s pattern
 * ({@code <name>.lacme-<16 hex>.d}, or {@code <name>.<digits>.tmp} of earlier versions), owned
 * by this (root) process's user, a private (0700) directory or a regular file, and not live:
 * the temporary file inside is locked by the run writing it, so a file whose lock can be taken
 * belongs to a dead run. An empty private directory carries no lock; it is removed only when
 * older than {@link #EMPTY_GRACE} (a live run makes the file right after the directory).
 * Everything goes through the directory's descriptor, never following a link.
 */
final class InstallLeftovers {
    static final String PRIVATE_INFIX = ".lacme-";
    static final String PRIVATE_SUFFIX = ".d";
    static final String TMP_SUFFIX = ".tmp";
    static final Duration EMPTY_GRACE = Duration.ofMinutes(10);

    private InstallLeftovers() {
    }

    /** Removes the leftovers for the file {@code name} in the opened directory {@code d}; best effort. */
    static void remove(SecureDirectoryStream<Path> d, String name) throws IOException {
        Pattern priv = Pattern.compile(Pattern.quote(name) + Pattern.quote(PRIVATE_INFIX) + "[0-9a-f]{16}"
                + Pattern.quote(PRIVATE_SUFFIX));
        Pattern old = Pattern.compile(Pattern.quote(name) + "\\.[0-9]+" + Pattern.quote(TMP_SUFFIX));
        List<String> candidates = new ArrayList<>();
        for (Path p : d) {
            String n = p.getFileName().toString();
            if (priv.matcher(n).matches() || old.matcher(n).matches()) {
                candidates.add(n);
            }
        }
        for (String n : candidates) {
            try {
                PosixFileAttributes a = SafeDirs.stat(d, n);
                if (priv.matcher(n).matches() && SafeDirs.isPrivate(a)) {
                    removePrivate(d, n, a);
                } else if (a.isRegularFile() && SafeDirs.isOwn(a) && old.matcher(n).matches()) {
                    SafeDirs.deleteFile(d, n);
                }
            } catch (IOException e) {
                // not ours to judge (gone, replaced, busy): left alone
            }
        }
    }

    private static void removePrivate(SecureDirectoryStream<Path> d, String n, PosixFileAttributes a)
            throws IOException {
        try (SecureDirectoryStream<Path> p = SafeDirs.openChild(d, n)) {
            if (!a.fileKey().equals(SafeDirs.stat(p).fileKey())) {
                return; // swapped between the look and the open
            }
            List<String> inside = new ArrayList<>();
            for (Path e : p) {
                inside.add(e.getFileName().toString());
            }
            if (inside.isEmpty() && a.lastModifiedTime().toInstant().isAfter(Instant.now().minus(EMPTY_GRACE))) {
                return; // perhaps a live run between mkdir and create
            }
            for (String f : inside) {
                if (!removeIfDead(p, f)) {
                    return;
                }
            }
        }
        SafeDirs.deleteDirectoryIf(d, n, a.fileKey());
    }

    /** Unlinks the temporary file {@code f} if no live run holds its lock; false if one does. */
    private static boolean removeIfDead(SecureDirectoryStream<Path> p, String f) throws IOException {
        if (!SafeDirs.stat(p, f).isRegularFile()) {
            return false;
        }
        try (FileChannel ch = (FileChannel) p.newByteChannel(Path.of(f),
                Set.<OpenOption>of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return false;
            }
            SafeDirs.deleteFile(p, f); // while holding the lock
            return true;
        } catch (OverlappingFileLockException e) {
            return false; // this very process is writing it
        }
    }
}
