package lacme.it.interop;

import lacme.it.interop.Interop.Run;
import lacme.it.interop.Interop.Section;
import lacme.testkit.Pebble;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every certificate the interoperability tests get issued must be. */
final class Issued {
    private Issued() {
    }

    /**
     * Checks what lacme installed for a section: the leaf alone and leaf + chain, the
     * requested names as the only SANs, the service key as the leaf's key, and a chain that
     * verifies to Pebble's issuing root.
     */
    static X509Certificate check(Section s, Pebble pebble) throws Exception {
        assertTrue(Files.isRegularFile(s.cert()), "certificate installed: " + s.cert());
        assertTrue(Files.isRegularFile(s.chain()), "certificate chain installed: " + s.chain());
        List<X509Certificate> leafOnly = parse(s.cert());
        List<X509Certificate> chain = parse(s.chain());
        assertEquals(1, leafOnly.size(), "certificate file holds the leaf only");
        assertTrue(chain.size() >= 2, "chain file holds the leaf and an intermediate");
        X509Certificate leaf = chain.get(0);
        assertEquals(leafOnly.get(0), leaf);
        assertEquals(new TreeSet<>(s.dnsNames()), dnsNames(leaf));
        assertArrayEquals(publicKey(s.key()).getEncoded(), leaf.getPublicKey().getEncoded(),
                "the leaf's key is the service key");
        verifiesToPebbleRoot(chain, pebble);
        return leaf;
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
        Set<String> dns = new TreeSet<>();
        for (List<?> san : c.getSubjectAlternativeNames()) {
            assertEquals(2, ((Number) san.get(0)).intValue(), "only DNS names expected, got " + san);
            dns.add((String) san.get(1));
        }
        return dns;
    }

    /** The public half of a PEM private key, through openssl pkey. */
    static PublicKey publicKey(Path privateKey) throws Exception {
        Run r = Interop.runOk(privateKey.getParent(), List.of("openssl", "pkey", "-in", privateKey.toString(), "-pubout"), 60);
        byte[] der = Base64.getMimeDecoder().decode(r.stdout().replaceAll("-----[A-Z ]+-----", ""));
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (InvalidKeySpecException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }

    static void verifiesToPebbleRoot(List<X509Certificate> chain, Pebble pebble) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate root = (X509Certificate) cf.generateCertificate(
                new ByteArrayInputStream(pebble.issuingRootsPem().getBytes(StandardCharsets.US_ASCII)));
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(chain), p);
    }
}
