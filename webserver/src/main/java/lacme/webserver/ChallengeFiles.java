package lacme.webserver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Set;

/**
 * Reads challenge files from one directory, the way lacme does but stricter: only a
 * regular file named by a token, never through a symbolic link ({@code O_NOFOLLOW} on the
 * open and an {@code lstat} before it), never more than {@link Limits#maxFileSize()}
 * bytes. Symlinks, FIFOs, directories, devices and oversized files are refused (403);
 * a missing file is 404.
 *
 * <p>The {@code lstat} and the open are two steps: if the directory's owner swaps a
 * regular file for a FIFO in between, the open blocks. That is why the server calls this
 * from a small bounded pool and never from its selector thread.
 */
final class ChallengeFiles {
    /** A status and, for 200, the file's content. */
    record Result(int status, byte[] body) {
    }

    private final Path dir;
    private final int maxSize;

    /** {@code dir} may be the empty path: the process's working directory. */
    ChallengeFiles(Path dir, int maxSize) {
        this.dir = dir;
        this.maxSize = maxSize;
    }

    /** Loads the file named {@code token} (already checked against the token syntax). */
    Result load(String token) {
        if (token.isEmpty() || token.contains("/") || token.startsWith(".")) {
            return new Result(403, null); // unreachable with a valid token; belt and braces
        }
        Path file = dir.resolve(token);
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() > maxSize) {
                return new Result(403, null);
            }
            try (SeekableByteChannel ch = Files.newByteChannel(file,
                    Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                ByteBuffer b = ByteBuffer.allocate(maxSize + 1);
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // read up to one byte past the cap, to notice a file that grew
                }
                if (b.position() > maxSize) {
                    return new Result(403, null);
                }
                return new Result(200, Arrays.copyOf(b.array(), b.position()));
            }
        } catch (NoSuchFileException e) {
            return new Result(404, null);
        } catch (IOException | SecurityException e) {
            return new Result(403, null); // ELOOP (a symlink), EACCES, ...
        }
    }
}
