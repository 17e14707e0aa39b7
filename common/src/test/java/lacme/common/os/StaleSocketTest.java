package lacme.common.os;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only a dead run's socket (root's, in root's directory, nobody listening) is removed. */
class StaleSocketTest {
    @TempDir
    Path tmp;

    /** A socket file nobody listens on (a closed channel leaves its file). */
    private static Path deadSocket(Path p) throws Exception {
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(p));
        }
        return p;
    }

    @Test
    void aDeadRunsSocketIsRemoved() throws Exception {
        Assumptions.assumeTrue(Setpriv.currentUid() == 0, "needs root (the socket must be root's)");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path s = deadSocket(tmp.resolve("www.socket"));
        assertTrue(StaleSocket.removeIfDead(s));
        assertFalse(Files.exists(s));
    }

    @Test
    void aLiveSocketARegularFileAndAnOpenDirectoryAreKept() throws Exception {
        Assumptions.assumeTrue(Setpriv.currentUid() == 0, "needs root (the socket must be root's)");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path live = tmp.resolve("live.socket");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(live));
            assertFalse(StaleSocket.removeIfDead(live), "someone listens");
            assertTrue(Files.exists(live));
        }
        Path file = Files.writeString(tmp.resolve("passwd"), "root:x:0:0\n");
        assertFalse(StaleSocket.removeIfDead(file), "not a socket");
        Path link = Files.createSymbolicLink(tmp.resolve("link.socket"), deadSocket(tmp.resolve("target.socket")));
        assertFalse(StaleSocket.removeIfDead(link), "a symbolic link");
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path s = deadSocket(open.resolve("www.socket"));
        assertFalse(StaleSocket.removeIfDead(s), "a directory others may write");
        assertTrue(Files.exists(s));
    }
}
