package lacme.master.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Directory work for a root process in directories other users can write: everything goes
 * through descriptors of opened directories ({@link SecureDirectoryStream}: openat, unlinkat,
 * renameat, fstat, fchown, fchmod), every name is opened without following a link, so a racer
 * who renames entries or swaps them for symbolic links cannot redirect root to another file.
 */
public final class SafeDirs {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How deep {@link #emptyTree} descends: a client could nest directories without end. */
    private static final int MAX_DEPTH = 64;

    private SafeDirs() {
    }

    /** 16 random hex digits for a name nobody can predict. */
    public static String random() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Opens a directory by the path root was configured with (the path up to it is trusted:
     * whoever can change it can change the configuration's meaning anyway).
     */
    public static SecureDirectoryStream<Path> open(Path dir) throws IOException {
        DirectoryStream<Path> ds = Files.newDirectoryStream(dir);
        if (ds instanceof SecureDirectoryStream<Path> sds) {
            return sds;
        }
        ds.close();
        throw new IOException("no SecureDirectoryStream (openat) on this platform");
    }

    /** Opens the entry {@code name} of {@code parent} as a directory, refusing a symbolic link. */
    public static SecureDirectoryStream<Path> openChild(SecureDirectoryStream<Path> parent, String name)
            throws IOException {
        return parent.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS);
    }

    /** The attributes of an entry, not following a link. */
    public static PosixFileAttributes stat(SecureDirectoryStream<Path> parent, String name) throws IOException {
        return parent.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
    }

    /** The attributes of the opened directory itself (fstat). */
    public static PosixFileAttributes stat(SecureDirectoryStream<Path> dir) throws IOException {
        return dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
    }

    /** This process' effective user (the owner of /proc/self). */
    public static UserPrincipal self() throws IOException {
        return Files.getOwner(Path.of("/proc/self"));
    }

    /**
     * Makes a directory this process has just created and opened its own: checks it is a
     * directory this process owns (a racer may have put their own in its place), sets mode
     * 0700 through the descriptor (a default ACL or umask may have granted more; 0700 also
     * masks ACL entries) and checks it is empty (nothing was put in before). Returns its
     * attributes, for its file key.
     *
     * @param shownAs the path named in the error
     */
    public static PosixFileAttributes seal(SecureDirectoryStream<Path> dir, Path shownAs) throws IOException {
        PosixFileAttributes a = stat(dir);
        if (!a.isDirectory() || !isOwn(a)) {
            throw new IOException(shownAs + " was tampered with");
        }
        dir.getFileAttributeView(PosixFileAttributeView.class).setPermissions(RWX_OWNER);
        try (DirectoryStream<Path> again = dir.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS)) {
            if (again.iterator().hasNext()) {
                throw new IOException(shownAs + " was tampered with");
            }
        }
        return a;
    }

    /**
     * True if the attributes are those of a directory this process owns in which nobody else
     * can list or create anything (no group or other read or write; 0700 or 0711).
     */
    public static boolean isSealed(PosixFileAttributes a) throws IOException {
        return isOwn(a) && a.isDirectory() && a.permissions().stream().noneMatch(p -> p == PosixFilePermission.GROUP_READ
                || p == PosixFilePermission.GROUP_WRITE || p == PosixFilePermission.OTHERS_READ
                || p == PosixFilePermission.OTHERS_WRITE);
    }

    /**
     * Removes the sealed directory {@code name} of {@code parent} — a leftover of a run killed
     * before its cleanup — and everything in it, unless a run is still live: a live run holds
     * an fcntl lock on the file {@code lock} inside, so a lock that can be taken is a dead run's.
     * With no lock file the directory is removed only once older than {@code grace} (a live run
     * creates the lock file right after the directory). Best effort: anything unexpected (not
     * sealed, swapped, busy) is left alone.
     */
    public static void removeDead(SecureDirectoryStream<Path> parent, String name, String lock, Duration grace) {
        try {
            PosixFileAttributes a = stat(parent, name);
            if (!isSealed(a)) {
                return;
            }
            try (SecureDirectoryStream<Path> d = openChild(parent, name)) {
                if (!a.fileKey().equals(stat(d).fileKey())) {
                    return; // swapped between the look and the open
                }
                boolean hasLock;
                try {
                    hasLock = stat(d, lock).isRegularFile();
                } catch (NoSuchFileException e) {
                    hasLock = false;
                }
                if (!hasLock) {
                    if (a.lastModifiedTime().toInstant().isAfter(Instant.now().minus(grace))) {
                        return;
                    }
                    emptyTree(d);
                } else {
                    try (FileChannel ch = (FileChannel) d.newByteChannel(Path.of(lock),
                            Set.<OpenOption>of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                        if (ch.tryLock() == null) {
                            return; // live
                        }
                        emptyTree(d); // while holding the lock
                    } catch (OverlappingFileLockException e) {
                        return; // this very process holds it
                    }
                }
            }
            deleteDirectoryIf(parent, name, a.fileKey());
        } catch (IOException e) {
            // left alone
        }
    }

    /** True if this process owns the file (another user's file is never a leftover of ours). */
    public static boolean isOwn(BasicFileAttributes a) throws IOException {
        return a instanceof PosixFileAttributes p && p.owner().equals(self());
    }

    /** Deletes a file entry; gone already is fine. */
    public static void deleteFile(SecureDirectoryStream<Path> dir, String name) throws IOException {
        try {
            dir.deleteFile(Path.of(name));
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /**
     * Deletes the directory entry {@code name} of {@code parent} if it is still the directory
     * whose file key is {@code key} (a racer may have renamed ours and put another in its place;
     * that one is not ours to delete).
     */
    public static void deleteDirectoryIf(SecureDirectoryStream<Path> parent, String name, Object key)
            throws IOException {
        BasicFileAttributes a;
        try {
            a = stat(parent, name);
        } catch (NoSuchFileException e) {
            return;
        }
        if (a.isDirectory() && a.fileKey() != null && a.fileKey().equals(key)) {
            parent.deleteDirectory(Path.of(name));
        }
    }

    /**
     * Removes everything inside an opened directory without following anything: a link is
     * unlinked, a subdirectory opened with O_NOFOLLOW and emptied through its own descriptor.
     * An entry swapped for a link between the look and the open is unlinked instead.
     */
    public static void emptyTree(SecureDirectoryStream<Path> dir) throws IOException {
        emptyTree(dir, 0);
    }

    private static void emptyTree(SecureDirectoryStream<Path> dir, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("directories nested deeper than " + MAX_DEPTH);
        }
        List<Path> names = new ArrayList<>();
        for (Path p : dir) {
            names.add(p.getFileName());
        }
        for (Path name : names) {
            BasicFileAttributes attrs;
            try {
                attrs = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
            } catch (NoSuchFileException e) {
                continue;
            }
            if (attrs.isDirectory()) {
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    emptyTree(sub, depth + 1);
                } catch (NoSuchFileException e) {
                    continue;
                } catch (IOException e) {
                    if (isDirectory(dir, name)) {
                        throw e;
                    }
                    dir.deleteFile(name); // swapped for a link or a file meanwhile
                    continue;
                }
                dir.deleteDirectory(name);
            } else {
                deleteFile(dir, name.toString());
            }
        }
    }

    private static boolean isDirectory(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes().isDirectory();
    }

    /** Owner read/write/execute only. */
    public static final Set<PosixFilePermission> RWX_OWNER = Set.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
}
