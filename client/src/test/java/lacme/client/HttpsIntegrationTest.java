package lacme.client;

import lacme.common.proto.Control.Hello;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import lacme.client.acme.AcmeConnection;
import lacme.testkit.Pebble;
import lacme.testkit.TestCa;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS trust configuration against Pebble, and the headers every request carries (loopback only). */
class HttpsIntegrationTest {
    @Test
    void withoutTheCaFilePebbleIsNotTrusted() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(),
                        new Hello(pebble.directoryUrl().toString(), 30, true, null, null, null, false))) {
            Map<String, Object> r = c.account(true, true, false, List.of());
            assertEquals(false, r.get("ok"));
            String e = (String) r.get("error");
            assertTrue(e.startsWith("GET " + pebble.directoryUrl() + ": ") && e.contains("PKIX"), e);
        }
    }

    @Test
    void verificationCanBeTurnedOff() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(),
                        new Hello(pebble.directoryUrl().toString(), 30, false, null, null, null, false))) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
        }
    }

    @Test
    void tls13OnlyAndLacmeCipherListWork() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(),
                        new Hello(pebble.directoryUrl().toString(), 30, true, "SSLv23:!TLSv1_1:!TLSv1:!SSLv3:!SSLv2",
                                "EECDH+AESGCM:!MEDIUM:!LOW:!EXP:!aNULL:!eNULL", pebble.caPem(), false))) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
        }
    }

    @Test
    void userAgentAndAcceptLanguage() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        HttpsServer server = httpsServer();
        server.createContext("/dir", ex -> {
            seen.put("ua", String.valueOf(ex.getRequestHeaders().getFirst("User-Agent")));
            seen.put("lang", String.valueOf(ex.getRequestHeaders().getFirst("Accept-Language")));
            FixtureDirectory.send(ex);
        });
        server.start();
        TestAccountd acc = TestAccountd.rsa();
        try (AFUNIXSocketPair<AFUNIXSocketChannel> p = AFUNIXSocketPair.open()) {
            acc.start(Channels.newInputStream(p.getSocket2()), Channels.newOutputStream(p.getSocket2()));
            Hello h = new Hello("https://127.0.0.1:" + server.getAddress().getPort() + "/dir", 30, true, null, null,
                    TLS_CA.certificatePem(), false);
            try (AcmeConnection conn = ClientMain.connect(h, new BufferedInputStream(Channels.newInputStream(p.getSocket1())),
                    Channels.newOutputStream(p.getSocket1()), LoggerFactory.getLogger("t"))) {
                conn.directory();
            }
        } finally {
            server.stop(0);
        }
        assertEquals("lacme-client/" + ClientMain.VERSION, seen.get("ua"));
        assertEquals("en", seen.get("lang"));
    }

    /**
     * A redirect is not followed (issue 10, finding 8): whoever answers could otherwise send the
     * signed requests elsewhere, or to plain http. The error says where it pointed.
     */
    @Test
    void aRedirectIsNotFollowed() throws Exception {
        java.util.concurrent.atomic.AtomicInteger followed = new java.util.concurrent.atomic.AtomicInteger();
        HttpsServer server = httpsServer();
        String target = "https://127.0.0.1:" + server.getAddress().getPort() + "/elsewhere";
        server.createContext("/dir", ex -> {
            ex.getResponseHeaders().set("Location", target);
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/elsewhere", ex -> {
            followed.incrementAndGet();
            FixtureDirectory.send(ex);
        });
        server.start();
        try (AFUNIXSocketPair<AFUNIXSocketChannel> p = AFUNIXSocketPair.open()) {
            TestAccountd.ec().start(Channels.newInputStream(p.getSocket2()), Channels.newOutputStream(p.getSocket2()));
            String dir = "https://127.0.0.1:" + server.getAddress().getPort() + "/dir";
            Hello h = new Hello(dir, 30, true, null, null, TLS_CA.certificatePem(), false);
            try (AcmeConnection conn = ClientMain.connect(h, new BufferedInputStream(Channels.newInputStream(p.getSocket1())),
                    Channels.newOutputStream(p.getSocket1()), LoggerFactory.getLogger("t"))) {
                lacme.client.acme.AcmeException e = org.junit.jupiter.api.Assertions.assertThrows(
                        lacme.client.acme.AcmeException.class, conn::directory);
                assertEquals("GET " + dir + ": HTTP 302: redirect to " + target + " not followed (ACME servers do not"
                        + " redirect; check 'server' in lacme.conf)", e.getMessage());
            }
        } finally {
            server.stop(0);
        }
        assertEquals(0, followed.get(), "the redirect target was never requested");
    }

    /**
     * A CA that accepts the connection and never answers cannot hold an operation past its
     * timeout: the response is waited for until the deadline (issue 15: no longer a 5 s
     * minimum beyond it), and no retry starts after it. Without the bound the client
     * would wait 60 s per attempt.
     */
    @Test
    void aSilentCaIsBoundedByTheTimeout() throws Exception {
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        try (java.net.ServerSocket silent = TlsVerificationTest.TlsServer.serverContext(TLS_CERT, TLS_CA)
                .getServerSocketFactory().createServerSocket(0, 8, java.net.InetAddress.getByName("127.0.0.1"))) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread t = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) silent.accept();
                        held.add(s);
                        accepted.incrementAndGet();
                        s.startHandshake(); // TLS, then silence
                    } catch (java.io.IOException e) {
                        if (silent.isClosed()) {
                            return;
                        }
                    }
                }
            }, "silent-ca");
            t.setDaemon(true);
            t.start();
            TestAccountd acc = TestAccountd.ec();
            try (AFUNIXSocketPair<AFUNIXSocketChannel> p = AFUNIXSocketPair.open()) {
                acc.start(Channels.newInputStream(p.getSocket2()), Channels.newOutputStream(p.getSocket2()));
                Hello h = new Hello("https://127.0.0.1:" + silent.getLocalPort() + "/dir", 2, true, null, null,
                        TLS_CA.certificatePem(), false);
                try (AcmeConnection conn = ClientMain.connect(h,
                        new BufferedInputStream(Channels.newInputStream(p.getSocket1())),
                        Channels.newOutputStream(p.getSocket1()), LoggerFactory.getLogger("t"))) {
                    lacme.client.acme.AcmeClient client = new lacme.client.acme.AcmeClient(conn, null,
                            java.nio.file.Path.of("/nonexistent"), java.time.Duration.ofSeconds(h.timeout()),
                            lacme.client.acme.Poller.Clock.SYSTEM);
                    long t0 = System.nanoTime();
                    lacme.client.acme.AcmeException e = org.junit.jupiter.api.Assertions.assertThrows(
                            lacme.client.acme.AcmeException.class,
                            () -> client.account(false, false, false, List.of()));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(e.getMessage().contains("Read timed out") && e.getMessage().contains("timeout (2 s)"
                            + " exceeded before it could be retried"), e.getMessage());
                    assertTrue(ms >= 1_900 && ms < 4_000, "gave up after " + ms + " ms");
                    assertEquals(1, accepted.get(), "no retry after the deadline");
                }
            } finally {
                for (java.net.Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static final TestCa TLS_CA;
    private static final TestCa.Issued TLS_CERT;

    static {
        try {
            TLS_CA = TestCa.create("lacme test https CA");
            TLS_CERT = TLS_CA.issueServer("127.0.0.1", "localhost");
        } catch (java.security.GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An https server on 127.0.0.1 with a certificate from {@link #TLS_CA}, not started. */
    static HttpsServer httpsServer() throws Exception {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.setHttpsConfigurator(new HttpsConfigurator(TlsVerificationTest.TlsServer.serverContext(TLS_CERT, TLS_CA)));
        return server;
    }

    /** A minimal directory. */
    static final class FixtureDirectory {
        static final String JSON = "{\"newNonce\":\"https://127.0.0.1/n\",\"newAccount\":\"https://127.0.0.1/a\","
                + "\"newOrder\":\"https://127.0.0.1/o\"}";

        /** Answers {@code ex} with the directory. */
        static void send(com.sun.net.httpserver.HttpExchange ex) throws java.io.IOException {
            byte[] b = JSON.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        }
    }
}
