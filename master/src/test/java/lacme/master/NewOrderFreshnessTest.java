package lacme.master;

import lacme.common.config.Specifiers;
import lacme.master.config.LacmeConf;
import lacme.master.install.TestCerts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Finding 6 of issue 10 through the whole newOrder path: a hostile client ({@link FakeClient}
 * "chain", spawned by the real spawning code) answers the order with a certificate that
 * verifies (right key, names, CA) but is the one installed, or backdated beyond the allowance:
 * the master refuses it (exit 1) and keeps the installed file; a fresh one is installed.
 */
class NewOrderFreshnessTest {
    @TempDir
    Path dir;
    private Cleanup cleanup;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private PrintStream saved;
    private final KeyPair key = TestCerts.key("ec");
    private final X509Certificate root = TestCerts.spec().subject("CN=Fresh Root").key(TestCerts.key("rsa2")).ca().build();

    @BeforeEach
    void setUp() throws Exception {
        saved = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        String java = ProcessHandle.current().info().command().orElse("java");
        Files.writeString(dir.resolve("lacme.conf"), "config-certs = " + dir.resolve("certs.conf")
                + "\n[client]\nuser =\ngroup =\ncommand = " + java + " -cp " + System.getProperty("java.class.path")
                + " " + FakeClient.class.getName() + " chain " + dir.resolve("frames.log") + " " + dir.resolve("answer.pem")
                + "\n[accountd]\ncommand = /bin/true\n[webserver]\nlisten = " + dir.resolve("www.socket")
                + "\nuser =\ngroup =\ncommand = /bin/sleep 60\niptables = No\n");
        Files.writeString(dir.resolve("certs.conf"), "[test]\ncertificate-key = " + dir.resolve("k.key")
                + "\ncertificate = " + dir.resolve("cert.pem") + "\nsubject = /CN=fresh.example\nCAfile = "
                + dir.resolve("ca.pem") + "\n");
        Files.writeString(dir.resolve("k.key"), TestCerts.pkcs8Pem(key));
        Files.writeString(dir.resolve("ca.pem"), TestCerts.pem(List.of(root)));
    }

    @AfterEach
    void tearDown() {
        System.setOut(saved);
        if (cleanup != null) {
            cleanup.runAll();
        }
    }

    private X509Certificate leaf(Instant notBefore) {
        return TestCerts.spec().subject("CN=fresh.example").dns("fresh.example").key(key)
                .issuer(root, TestCerts.key("rsa2")).validity(notBefore, notBefore.plus(Duration.ofDays(90))).build();
    }

    /** One newOrder --force run whose client answers with {@code answer}; its exit status. */
    private int run(X509Certificate answer) throws Exception {
        Files.writeString(dir.resolve("answer.pem"), TestCerts.pem(List.of(answer)));
        LacmeConf conf = LacmeConf.read(dir.resolve("lacme.conf"), Path.of("/usr"), false);
        var log = LoggerFactory.getLogger("test");
        cleanup = new Cleanup(log);
        Context ctx = new Context(conf, Specifiers.forCurrentProcess(), log, cleanup, false, true, null);
        try {
            return new NewOrderCommand(ctx).run(null, -1, List.of());
        } finally {
            cleanup.runAll();
        }
    }

    @Test
    void aReplayedOrBackdatedCertificateIsRefusedAFreshOneInstalled() throws Exception {
        X509Certificate installed = leaf(Instant.now().minus(Duration.ofMinutes(5)));
        Files.writeString(dir.resolve("cert.pem"), TestCerts.pem(List.of(installed)));
        assertEquals(1, run(installed), "the installed certificate replayed");
        assertEquals(TestCerts.pem(List.of(installed)), Files.readString(dir.resolve("cert.pem")));
        assertEquals(1, run(leaf(Instant.now().minus(Duration.ofHours(3)))), "backdated beyond the allowance");
        assertEquals(TestCerts.pem(List.of(installed)), Files.readString(dir.resolve("cert.pem")));
        X509Certificate fresh = leaf(Instant.now().minus(Duration.ofMinutes(1)));
        assertEquals(0, run(fresh), "a fresh certificate");
        assertEquals(TestCerts.pem(List.of(fresh)), Files.readString(dir.resolve("cert.pem")));
    }
}
