package lacme.client;

import lacme.common.proto.Control.Hello;
import lacme.client.acme.AcmeConnection;
import lacme.client.acme.AcmeException;
import lacme.client.acme.TransientFailureException;
import lacme.testkit.TestCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's TLS checks against small TLS servers on 127.0.0.1 with throwaway
 * certificates: a certificate for another name or from an untrusted CA is refused when
 * ssl_verify is on — at once, without retries — and accepted, with a warning, when it is
 * off. The client is built as ClientMain builds it (hello settings, accountd greeting).
 */
class TlsVerificationTest {
    private static TestCa trusted;
    private static TestCa stranger;
    private static TlsServer good;
    private static TlsServer wrongName;
    private static TlsServer untrusted;

    @BeforeAll
    static void start() throws Exception {
        trusted = TestCa.create("lacme test trusted CA");
        stranger = TestCa.create("lacme test unknown CA");
        good = new TlsServer(trusted.issueServer("127.0.0.1", "localhost"), trusted);
        wrongName = new TlsServer(trusted.issueServer("other.example"), trusted);
        untrusted = new TlsServer(stranger.issueServer("127.0.0.1", "localhost"), stranger);
    }

    @AfterAll
    static void stop() throws Exception {
        for (TlsServer s : new TlsServer[] {good, wrongName, untrusted}) {
            if (s != null) {
                s.close();
            }
        }
    }

    /** Fetches the directory of {@code url} with a client configured by hello; returns its newOrder URL. */
    private static String directory(String url, boolean verify, String caPem) throws Exception {
        TestAccountd acc = TestAccountd.ec();
        try (AFUNIXSocketPair<AFUNIXSocketChannel> p = AFUNIXSocketPair.open()) {
            acc.start(Channels.newInputStream(p.getSocket2()), Channels.newOutputStream(p.getSocket2()));
            Hello h = new Hello(url, 30, verify, null, null, caPem, false);
            try (AcmeConnection conn = ClientMain.connect(h,
                    new BufferedInputStream(Channels.newInputStream(p.getSocket1())),
                    Channels.newOutputStream(p.getSocket1()), LoggerFactory.getLogger("lacme-client"))) {
                return conn.directory().newOrder().toString();
            }
        }
    }

    /** Like {@link #directory} but returns what the client wrote on stderr meanwhile (the test must succeed). */
    private static String stderrOf(String url, boolean verify, String caPem) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals("https://127.0.0.1/new-order", directory(url, verify, caPem));
        } finally {
            System.setErr(old);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        old.print(err);
        return err;
    }

    @Test
    void aMatchingTrustedCertificateIsAccepted() throws Exception {
        assertEquals("https://127.0.0.1/new-order", directory(good.url("127.0.0.1"), true, trusted.certificatePem()));
        assertEquals("https://127.0.0.1/new-order", directory(good.url("localhost"), true, trusted.certificatePem()));
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            int before = wrongName.connections.get();
            AcmeException e = assertThrows(AcmeException.class,
                    () -> directory(wrongName.url(host), true, trusted.certificatePem()), host);
            assertFalse(e instanceof TransientFailureException, "a refused certificate is final: " + e.getMessage());
            String m = e.getMessage();
            assertTrue(m.startsWith("GET " + wrongName.url(host) + ": ") && m.contains(host)
                    && (m.contains("No subject alternative") || m.contains("doesn't match")), m);
            assertEquals(1, wrongName.connections.get() - before, "refused on the first connection, not retried");
        }
        assertEquals(0, wrongName.served.get(), "no request was ever answered");
    }

    @Test
    void anUntrustedChainIsRefused() throws Exception {
        int before = untrusted.connections.get();
        AcmeException e = assertThrows(AcmeException.class,
                () -> directory(untrusted.url("127.0.0.1"), true, trusted.certificatePem()));
        assertFalse(e instanceof TransientFailureException);
        assertTrue(e.getMessage().contains("PKIX"), e.getMessage());
        e = assertThrows(AcmeException.class, () -> directory(untrusted.url("127.0.0.1"), true, null));
        assertTrue(e.getMessage().contains("PKIX"), "not in the JDK's trust store either: " + e.getMessage());
        assertEquals(2, untrusted.connections.get() - before, "one connection per attempt, no retry");
        assertEquals(0, untrusted.served.get());
    }

    @Test
    void withoutVerificationAWrongNameIsAcceptedWithAWarning() throws Exception {
        String err = stderrOf(wrongName.url("127.0.0.1"), false, null);
        assertTrue(err.contains("WARN") && err.contains("SSL_verify is off"), err);
        assertTrue(wrongName.served.get() >= 1);
    }

    @Test
    void withoutVerificationAnUntrustedChainIsAcceptedWithAWarning() throws Exception {
        String err = stderrOf(untrusted.url("localhost"), false, trusted.certificatePem());
        assertTrue(err.contains("SSL_verify is off"), err);
        assertTrue(untrusted.served.get() >= 1);
    }

    @Test
    void verificationIsNotAnnouncedWhenOn() throws Exception {
        String err = stderrOf(good.url("127.0.0.1"), true, trusted.certificatePem());
        assertFalse(err.contains("SSL_verify is off"), err);
    }

    /**
     * A TLS server on 127.0.0.1 answering every request with a minimal ACME directory
     * ({@code Connection: close}); counts accepted connections and answered requests.
     */
    static final class TlsServer implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        private final SSLServerSocket server;

        TlsServer(TestCa.Issued cert, TestCa issuer) throws Exception {
            server = (SSLServerSocket) serverContext(cert, issuer).getServerSocketFactory().createServerSocket(0, 16,
                    InetAddress.getByName("127.0.0.1"));
            Thread t = new Thread(this::acceptLoop, "tls-server-" + server.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        /** A server-side TLS context presenting {@code cert} and its issuer. */
        static SSLContext serverContext(TestCa.Issued cert, TestCa issuer) throws Exception {
            char[] pw = "x".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", cert.key().getPrivate(), pw,
                    new Certificate[] {cert.certificate(), issuer.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        }

        String url(String host) {
            return "https://" + host + ":" + server.getLocalPort() + "/dir";
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve((SSLSocket) s), "tls-conn");
                t.setDaemon(true);
                t.start();
            }
        }

        private void serve(SSLSocket s) {
            try (s) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                InputStream in = s.getInputStream();
                int state = 0;
                int c;
                while (state < 4 && (c = in.read()) >= 0) {
                    state = (c == (state % 2 == 0 ? '\r' : '\n')) ? state + 1 : (c == '\r' ? 1 : 0);
                }
                if (state < 4) {
                    return;
                }
                byte[] body = ("{\"newNonce\":\"https://127.0.0.1/nonce\",\"newAccount\":\"https://127.0.0.1/acct\","
                        + "\"newOrder\":\"https://127.0.0.1/new-order\"}").getBytes(StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                served.incrementAndGet();
            } catch (IOException e) {
                // the client refused the certificate: nothing to serve
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
