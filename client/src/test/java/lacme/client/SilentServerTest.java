package lacme.client;

import lacme.client.acme.AcmeConnection;
import lacme.client.acme.AcmeException;
import lacme.client.acme.Poller;
import lacme.testkit.TestCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code [client] timeout} bounds every wait of an operation, against a CA that accepts and
 * never answers, and one that completes TLS and then stays silent (issue 15, failure 1): three
 * orders started together with {@code timeout = 10} all fail within the timeout and a margin,
 * not one after the other behind a shared directory fetch (which took 96 s), and not after a
 * fixed 30 s connect/TLS wait.
 */
class SilentServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static TestCa ca;
    private static ServerSocket mute;
    private static SSLServerSocket tlsThenMute;
    private static final List<Socket> HELD = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create("lacme test silent CA");
        mute = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        tlsThenMute = (SSLServerSocket) TlsVerificationTest.TlsServer
                .serverContext(ca.issueServer("127.0.0.1"), ca).getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        daemon(() -> {
            while (!mute.isClosed()) {
                HELD.add(mute.accept()); // accepted, never read from nor written to
            }
        });
        daemon(() -> {
            while (!tlsThenMute.isClosed()) {
                SSLSocket s = (SSLSocket) tlsThenMute.accept();
                HELD.add(s);
                daemon(() -> {
                    s.startHandshake();
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // read the request, answer nothing
                    }
                });
            }
        });
    }

    private interface Body {
        void run() throws IOException;
    }

    private static void daemon(Body b) {
        Thread t = new Thread(() -> {
            try {
                b.run();
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void stop() throws IOException {
        mute.close();
        tlsThenMute.close();
        for (Socket s : HELD) {
            s.close();
        }
    }

    /** Runs three operations at once against {@code port}; returns the time until all have failed, in ms. */
    private static long threeOrders(int port) throws Exception {
        TlsSettings tls = TlsSettings.create(true, ca.certificatePem(), null, null);
        ExecutorService ex = Executors.newFixedThreadPool(3);
        long t0 = System.nanoTime();
        try (AcmeConnection c = new AcmeConnection(Https.build(tls, "t", 3, TIMEOUT),
                URI.create("https://127.0.0.1:" + port + "/dir"), null)) {
            List<Future<?>> orders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                orders.add(ex.submit(() -> {
                    AcmeException e = assertThrows(AcmeException.class,
                            () -> c.directory(new Poller(TIMEOUT, Poller.Clock.SYSTEM)));
                    System.err.println("order failed: " + e.getMessage());
                    return null;
                }));
            }
            for (Future<?> f : orders) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            ex.shutdownNow();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.err.println("three orders against a silent server on port " + port + " ended after " + ms + " ms");
        return ms;
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersIsGivenUpWithinTheTimeout() throws Exception {
        long ms = threeOrders(mute.getLocalPort());
        assertTrue(ms < 18_000, "timeout = 10, three orders: ended after " + ms + " ms");
    }

    @Test
    void aServerSilentAfterTlsIsGivenUpWithinTheTimeout() throws Exception {
        long ms = threeOrders(tlsThenMute.getLocalPort());
        assertTrue(ms < 18_000, "timeout = 10, three orders: ended after " + ms + " ms");
    }
}
