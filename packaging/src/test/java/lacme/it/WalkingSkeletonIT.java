package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
            List<X509Certificate> leafOnly = parse(cert);
            List<X509Certificate> full = parse(chain);
            assertEquals(1, leafOnly.size());
            assertTrue(full.size() >= 2, "chain has the leaf and an intermediate");
            X509Certificate leaf = full.get(0);
            assertEquals(leafOnly.get(0), leaf);
            assertEquals(Set.of(s + ".example.test", "www." + s + ".example.test"), dnsNames(leaf));
            assertArrayEquals(servicePublicKey(s).getEncoded(), leaf.getPublicKey().getEncoded(),
                    "the leaf's key is the service key");
            verifiesToPebbleRoot(full);
        }
        assertTrue(order.stdout().toLowerCase().contains("sha256 fingerprint="), order.toString());

        Dist.Run again = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"), 120);
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.stderr().contains("[rsa] Valid until "), again.toString());
        assertTrue(again.stderr().contains("[ec] Valid until "), again.toString());
        assertTrue(again.stderr().contains(", skipping"), again.toString());
    }

    static List<X509Certificate> parse(Path p) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (var c : cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(p)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    static Set<String> dnsNames(X509Certificate c) throws Exception {
        Set<String> out = new TreeSet<>();
        Collection<List<?>> sans = c.getSubjectAlternativeNames();
        for (List<?> san : sans) {
            out.add(san.get(0) + "=" + san.get(1));
        }
        Set<String> dns = new TreeSet<>();
        for (String s : out) {
            assertTrue(s.startsWith("2="), "only DNS names expected, got " + out);
            dns.add(s.substring(2));
        }
        return dns;
    }

    static PublicKey servicePublicKey(String s) throws Exception {
        Dist.openssl(tmp, "pkey", "-in", tmp.resolve(s + ".key").toString(), "-pubout",
                "-out", tmp.resolve(s + ".pub").toString());
        String pem = Files.readString(tmp.resolve(s + ".pub"), StandardCharsets.US_ASCII)
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = java.util.Base64.getDecoder().decode(pem);
        String alg = s.equals("rsa") ? "RSA" : "EC";
        return java.security.KeyFactory.getInstance(alg).generatePublic(new java.security.spec.X509EncodedKeySpec(der));
    }

    static void verifiesToPebbleRoot(List<X509Certificate> chain) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate root = (X509Certificate) cf.generateCertificate(
                new ByteArrayInputStream(pebble.issuingRootsPem().getBytes(StandardCharsets.US_ASCII)));
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(chain), p);
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
