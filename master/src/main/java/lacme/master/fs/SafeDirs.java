package lacme.master.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
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
     * True if the attributes are those of a directory this process owns that nobody else can
     * enter or write (no group or other permission): inside it, names are ours alone.
     */
    public static boolean isPrivate(PosixFileAttributes a) throws IOException {
        return isOwn(a) && a.isDirectory() && a.permissions().stream().allMatch(SafeDirs::ownerOnly);
    }

    /** True if this process owns the file (another user's file is never a leftover of ours). */
    public static boolean isOwn(BasicFileAttributes a) throws IOException {
        return a instanceof PosixFileAttributes p && p.owner().equals(self());
    }

    private static boolean ownerOnly(PosixFilePermission p) {
        return p == PosixFilePermission.OWNER_READ || p == PosixFilePermission.OWNER_WRITE
                || p == PosixFilePermission.OWNER_EXECUTE;
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
