package lacme.client;

import lacme.client.acme.AcmeConnection;
import lacme.client.acme.AcmeException;
import lacme.testkit.TestCa;
import org.apache.hc.client5.http.DnsResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every resolved address of the CA's name is tried, each with a short connect budget, before
 * a connection attempt fails (issue 15, failure 6). The names resolve through a resolver of
 * the test, so that a host's /etc/hosts does not matter: {@code localhost} as Debian's
 * standard /etc/hosts has it ({@code ::1} before 127.0.0.1) with a CA on 127.0.0.1 only, and
 * a name whose first address is a black hole (a loopback listener whose accept queue is full,
 * so that connecting hangs like a broken route).
 */
class AddressFallbackTest {
    private static TestCa ca;
    private static TlsVerificationTest.TlsServer server;
    private static int port;
    private static ServerSocket blackHole;
    private static final List<Socket> QUEUED = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create("lacme test fallback CA");
        server = new TlsVerificationTest.TlsServer(ca.issueServer("localhost", "ca.test"), ca);
        port = URI.create(server.url("127.0.0.1")).getPort();
        // the same port on 127.0.0.2, never accepting: once its queue is full, a connect hangs
        blackHole = new ServerSocket();
        blackHole.bind(new InetSocketAddress("127.0.0.2", port), 1);
        for (int i = 0; i < 2; i++) {
            Socket s = new Socket();
            s.connect(blackHole.getLocalSocketAddress(), 2000);
            QUEUED.add(s);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Socket s : QUEUED) {
            s.close();
        }
        blackHole.close();
        server.close();
    }

    private static final DnsResolver HOSTS = new DnsResolver() {
        private final Map<String, String[]> hosts = Map.of(
                "localhost", new String[] {"::1", "127.0.0.1"},
                "ca.test", new String[] {"127.0.0.2", "127.0.0.1"},
                "dead.test", new String[] {"127.0.0.2"},
                "other.test", new String[] {"127.0.0.1", "::1"});

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            String[] a = hosts.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            InetAddress[] out = new InetAddress[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = InetAddress.getByName(a[i]);
            }
            return out;
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    };

    /** Fetches the directory from {@code host} with an operation timeout of {@code timeout}; returns the time taken. */
    private static long fetch(String host, Duration timeout) throws Exception {
        TlsSettings tls = TlsSettings.create(true, ca.certificatePem(), null, null);
        long t0 = System.nanoTime();
        try (AcmeConnection c = new AcmeConnection(Https.build(tls, "t", 1, timeout, HOSTS),
                URI.create("https://" + host + ":" + port + "/dir"), null)) {
            assertEquals("https://127.0.0.1/new-order", c.directory(new lacme.client.acme.Poller(timeout,
                    lacme.client.acme.Poller.Clock.SYSTEM)).newOrder().toString());
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void localhostReachesAnIpv4OnlyServerPastARefusingIpv6Address() throws Exception {
        int before = server.connections.get();
        fetch("localhost", Duration.ofSeconds(30));
        assertEquals(1, server.connections.get() - before);
    }

    @Test
    void aSilentFirstAddressCostsOnlyItsShortBudget() throws Exception {
        long ms = fetch("ca.test", Duration.ofSeconds(6));
        // per-address budget 2 s (a third of the timeout): without it, the 30 s connect timeout
        assertTrue(ms >= 1_900 && ms < 6_000, "reached the second address after " + ms + " ms");
    }

    @Test
    void whenEveryAddressFailsTheErrorNamesTheName() {
        long t0 = System.nanoTime();
        AcmeException e = assertThrows(AcmeException.class, () -> fetch("dead.test", Duration.ofSeconds(3)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().startsWith("GET https://dead.test:" + port + "/dir: ") && e.getMessage()
                .contains("dead.test"), e.getMessage());
        assertTrue(ms < 3_000 + 5_000, "bounded by the timeout (3 s) and one more attempt: " + ms + " ms");
    }

    /**
     * A certificate refused on one address is final: the next address is not tried, and the
     * error is the certificate's. (HttpClient's address loop would go on to {@code ::1},
     * where nothing listens, and report "Connection refused", a transient failure retried
     * until the timeout: what TlsVerificationTest saw for localhost on a host whose
     * /etc/hosts has {@code ::1 localhost} beside 127.0.0.1.)
     */
    @Test
    void aRefusedCertificateIsNotRetriedOnTheNextAddress() {
        int before = server.connections.get();
        AcmeException e = assertThrows(AcmeException.class, () -> fetch("other.test", Duration.ofSeconds(30)));
        assertTrue(!(e instanceof lacme.client.acme.TransientFailureException)
                && e.getMessage().startsWith("GET https://other.test:" + port + "/dir: ")
                && (e.getMessage().contains("No subject alternative") || e.getMessage().contains("doesn't match")),
                e.getMessage());
        assertEquals(1, server.connections.get() - before, "one connection, one address");
    }

    @Test
    void theBudgetIsAThirdOfTheTimeoutWithinBounds() {
        assertEquals(Duration.ofSeconds(10), Https.perAddressConnect(Duration.ZERO));
        assertEquals(Duration.ofSeconds(10), Https.perAddressConnect(Duration.ofSeconds(300)));
        assertEquals(Duration.ofSeconds(5), Https.perAddressConnect(Duration.ofSeconds(15)));
        assertEquals(Duration.ofSeconds(1), Https.perAddressConnect(Duration.ofSeconds(2)));
    }
}
