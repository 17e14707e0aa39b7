package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lacme revokeCert} end to end: Pebble reports the certificate revoked afterwards. */
class RevokeIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
        conf = Tree.write(tmp, pebble);
        Dist.register(tmp, conf);
        Dist.Run order = lacme("newOrder");
        assertEquals(0, order.exit(), order.toString());
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    static Dist.Run lacme(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(Dist.lacme().toString(), "--config=" + conf));
        argv.addAll(List.of(args));
        return Dist.run(tmp, argv, 120);
    }

    @Test
    void revokesCertificatesAndPebbleSaysSo() throws Exception {
        X509Certificate rsa = Certs.parse(tmp.resolve("rsa.crt")).get(0);
        X509Certificate ec = Certs.parse(tmp.resolve("ec.chain.pem")).get(0);
        assertFalse(pebble.certStatus(rsa.getSerialNumber()).revoked());
        Dist.Run r = lacme("revoke-cert", tmp.resolve("rsa.crt").toString(), tmp.resolve("ec.chain.pem").toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stderr().contains("Revoking " + tmp.resolve("rsa.crt")), r.toString());
        assertTrue(r.stdout().toLowerCase().contains("sha256 fingerprint="), "summary of each certificate: " + r);
        for (X509Certificate c : List.of(rsa, ec)) {
            Pebble.CertStatus st = pebble.certStatus(c.getSerialNumber());
            assertNotNull(st);
            assertTrue(st.revoked(), "Pebble: " + st.status());
        }

        Dist.Run again = lacme("revokeCert", tmp.resolve("rsa.crt").toString());
        assertEquals(1, again.exit(), "already revoked: " + again);
        assertTrue(again.stderr().contains("Couldn't revoke " + tmp.resolve("rsa.crt")), again.toString());
        assertFalse(again.stderr().contains("\tat "), again.toString());
    }

    @Test
    void missingFileIsAWarningAndExitOne() throws Exception {
        Dist.Run r = lacme("revokeCert", tmp.resolve("nonexistent.crt").toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains(tmp.resolve("nonexistent.crt") + ": No such file"), r.toString());
        assertFalse(r.stderr().contains("\tat "), r.toString());
    }

    @Test
    void nothingToRevoke() throws Exception {
        Dist.Run r = lacme("revokeCert");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("Nothing to revoke"), r.toString());
    }
}
