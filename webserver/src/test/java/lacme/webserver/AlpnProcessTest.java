package lacme.webserver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code webserver --tls-alpn} as the master runs it: a listening socket on fd 0, the challenge directory as cwd. */
class AlpnProcessTest {
    @TempDir
    Path dir;

    @Test
    void answersTheCaRefusesOthersAndOutlastsSilentClients() throws Exception {
        Files.writeString(dir.resolve(AlpnCertificates.PREFIX + "www.example.org"), AlpnTlsTest.KEY_AUTHZ);
        List<String> cmd = new ArrayList<>(ServerProcess.java());
        cmd.add(WebserverMain.TLS);
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
                ServerProcess p = ServerProcess.start(cmd, l, dir, Map.of())) {
            int port = ((InetSocketAddress) l.getLocalAddress()).getPort();
            X509Certificate c = null;
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); c == null;) {
                try {
                    c = AlpnTlsTest.handshake(port, "www.example.org", AlpnCertificates.PROTOCOL);
                } catch (SSLException e) {
                    throw e;
                } catch (Exception e) { // the JVM is starting: the handshake times out
                    if (System.nanoTime() > end) {
                        throw e;
                    }
                }
            }
            assertTrue(c.getCriticalExtensionOIDs().contains("1.3.6.1.5.5.7.1.31"));
            assertThrows(SSLException.class, () -> AlpnTlsTest.handshake(port, "www.example.org"));
            // more silent connections than handshake slots: the CA still gets through at once
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < AlpnServer.SLOTS + 8; i++) {
                    silent.add(new Socket(InetAddress.getLoopbackAddress(), port));
                }
                Thread.sleep(300);
                long t0 = System.nanoTime();
                AlpnTlsTest.handshake(port, "www.example.org", AlpnCertificates.PROTOCOL);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms < 3000, "handshake took " + ms + " ms behind silent clients");
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
            assertTrue(p.terminate(10), "exits on SIGTERM");
            assertFalse(p.stderr().contains("Exception"), p.stderr());
        }
    }
}
