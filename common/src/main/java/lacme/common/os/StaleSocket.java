package lacme.common.os;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A UNIX-domain socket file left by a run that died without its cleanup (kill -9 of the
 * master, issue 15): lacme refuses to bind over any existing file, so without this every
 * later run failed with "Address already in use" until a sysadmin removed it. The file is
 * removed only when it is provably a dead run's: a socket (not a regular file nor a link, so
 * {@code listen = /etc/passwd} still deletes nothing), owned by root, in a directory owned by
 * root that nobody else may write (so no other user can have put it there or swap it between
 * the checks and the unlink), with no symbolic link on the way, and nobody listening on it
 * (connect(2) is refused: a live run keeps its listening socket open to its end, which is the
 * run's lock here). Anything else is left alone and the bind fails as in lacme.
 */
public final class StaleSocket {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private StaleSocket() {
    }

    /** True when {@code path} is a dead run's socket by every test above. */
    public static boolean isDead(Path path) {
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir == null || !dir.toRealPath().equals(dir.normalize())) {
                return false;
            }
            int dmode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int duid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (duid != 0 || (dmode & 0022) != 0 || uid != 0 || (mode & S_IFMT) != S_IFSOCK) {
                return false;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            return false; // someone listens: a live run's, or another program's
        } catch (ConnectException e) {
            return true; // ECONNREFUSED: a socket file nobody listens on
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes {@code path} when {@link #isDead}; true when it did. */
    public static boolean removeIfDead(Path path) throws IOException {
        if (!isDead(path)) {
            return false;
        }
        Files.delete(path);
        return true;
    }
}
