package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton end to end: the distribution's launchers, run as a sysadmin would,
 * register an account and issue certificates from a real Pebble, with a real accountd,
 * client and webserver (dropped to _lacme-client / _lacme-www when running as root).
 */
class WalkingSkeletonIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
        conf = Tree.write(tmp, pebble);
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void registersIssuesAndSkipsValidCertificates() throws Exception {
        Dist.Run reg = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "account",
                "--register", "--tos-agreed", "mailto:hostmaster@example.test"), 120);
        assertEquals(0, reg.exit(), reg.toString());
        assertTrue(reg.stdout().contains("\"status\""), "account object printed on stdout: " + reg);
        assertTrue(reg.stdout().contains("mailto:hostmaster@example.test"), reg.toString());

        Dist.Run order = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"), 180);
        assertEquals(0, order.exit(), order.toString());
        for (String s : List.of("rsa", "ec")) {
            Path cert = tmp.resolve(s + ".crt");
            Path chain = tmp.resolve(s + ".chain.pem");
            assertTrue(Files.isRegularFile(cert) && Files.isRegularFile(chain), order.toString());
            List<X509Certificate> leafOnly = Certs.parse(cert);
            List<X509Certificate> full = Certs.parse(chain);
            assertEquals(1, leafOnly.size());
            assertTrue(full.size() >= 2, "chain has the leaf and an intermediate");
            X509Certificate leaf = full.get(0);
            assertEquals(leafOnly.get(0), leaf);
            assertEquals(Set.of(s + ".example.test", "www." + s + ".example.test"), Certs.dnsNames(leaf));
            assertArrayEquals(Certs.publicKey(tmp.resolve(s + ".key")).getEncoded(), leaf.getPublicKey().getEncoded(),
                    "the leaf's key is the service key");
            Certs.verifiesToPebbleRoot(full, pebble);
        }
        assertTrue(order.stdout().toLowerCase().contains("sha256 fingerprint="), order.toString());

        Dist.Run again = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"), 120);
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.stderr().contains("[rsa] Valid until "), again.toString());
        assertTrue(again.stderr().contains("[ec] Valid until "), again.toString());
        assertTrue(again.stderr().contains(", skipping"), again.toString());
    }
}
