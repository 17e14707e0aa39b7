package lacme.client.acme;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static lacme.client.acme.FakeCa.json;

/**
 * The set-up shared by the tests that drive {@link AcmeClient} against a {@link FakeCa}:
 * per test a fresh scripted CA that already knows the account, a fake clock that records
 * every sleep, and a challenge directory removed afterwards. One place for it, so that the
 * test classes cannot drift apart in how the client is wired.
 */
abstract class ScriptedCaFixture {
    static final String ACCT = FakeCa.BASE + "/acct/1";
    static final byte[] CSR = {0x30, 0x03, 0x02, 0x01, 0x01};
    static final List<AcmeClient.Identifier> AB = List.of(
            new AcmeClient.Identifier("dns", "a.example"), new AcmeClient.Identifier("dns", "b.example"));

    /** The CA of the current test; a test may replace it before building a client. */
    FakeCa ca;
    FakeCa.FakeClock clock;
    /** The challenge directory. */
    Path dir;

    @BeforeEach
    void setUpScriptedCa() throws Exception {
        ca = new FakeCa();
        clock = new FakeCa.FakeClock();
        dir = Files.createTempDirectory("acme-test-");
        ca.on("POST", "/new-acct", json(200, "account.json").header("Location", ACCT));
    }

    @AfterEach
    void removeChallengeDirectory() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A connection to {@link #ca} with its account key. */
    AcmeConnection connection() throws Exception {
        return new AcmeConnection(ca, URI.create(FakeCa.BASE + "/dir"), ca.accountKey(null));
    }

    /** A client on {@link #connection()}, {@link #dir} and {@link #clock}; {@code timeout} 0 = none. */
    AcmeClient client(Duration timeout) throws Exception {
        return new AcmeClient(connection(), null, dir, timeout, clock);
    }
}
