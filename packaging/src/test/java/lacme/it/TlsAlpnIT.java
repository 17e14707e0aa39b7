package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14 against a real Pebble 2.10 through the distribution's launchers: a section whose
 * key does not exist gets one generated (mode 0600, root's, the certificate's key), and an
 * IP-address certificate (127.0.0.1, RFC 8738) is validated by http-01.
 */
class TlsAlpnIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = List.of("ip");
        conf = Tree.write(tmp, s);
        Files.writeString(tmp.resolve("lacme-certs.conf"), "CAfile = " + tmp.resolve("pebble-roots.pem") + "\n"
                + section("ip", "/O=lacme IP test", "IP:127.0.0.1", "")
                + section("gen", "/CN=gen.example.test", "DNS:gen.example.test", "certificate-key-type = ec:p384\n"));
        Dist.register(tmp, conf);
    }

    static String section(String name, String subject, String san, String extra) {
        return "\n[" + name + "]\ncertificate-key = " + tmp.resolve(name + ".key") + "\ncertificate = "
                + tmp.resolve(name + ".crt") + "\ncertificate-chain = " + tmp.resolve(name + ".chain.pem")
                + "\nsubject = " + subject + "\nsubjectAltName = " + san + "\n" + extra;
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void generatedKeyAndIpCertificateByHttp01() throws Exception {
        Path genKey = tmp.resolve("gen.key");
        assertFalse(Files.exists(genKey, LinkOption.NOFOLLOW_LINKS));
        Dist.Run run = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"), 180);
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stderr().contains("[gen] Generated a ec:p384 key in " + genKey), run.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(genKey)));
        if (Dist.isRoot()) {
            assertEquals(0, Files.getAttribute(genKey, "unix:uid"));
        }
        for (String s : List.of("gen", "ip")) {
            List<X509Certificate> chain = Certs.parse(tmp.resolve(s + ".chain.pem"));
            assertArrayEquals(Certs.publicKey(tmp.resolve(s + ".key")).getEncoded(),
                    chain.get(0).getPublicKey().getEncoded(), s + ": the leaf's key is the service key");
            Certs.verifiesToPebbleRoot(chain, pebble);
        }
        X509Certificate ip = Certs.parse(tmp.resolve("ip.crt")).get(0);
        assertEquals(List.of(List.of(7, "127.0.0.1")), List.copyOf(ip.getSubjectAlternativeNames()));
        byte[] key = Files.readAllBytes(genKey);
        Dist.Run again = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder", "--force"), 180);
        assertEquals(0, again.exit(), again.toString());
        assertArrayEquals(key, Files.readAllBytes(genKey), "an existing key is never replaced");
        assertFalse(again.stderr().contains("Generated"), again.toString());
    }
}
