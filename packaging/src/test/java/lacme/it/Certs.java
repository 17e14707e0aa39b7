package lacme.it;

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

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checks the end-to-end tests make on installed certificates, with the JDK and openssl only. */
public final class Certs {
    private Certs() {
    }

    /** Every certificate of a PEM file, in order. */
    public static List<X509Certificate> parse(Path p) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (var c : cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(p)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    /** The leaf's SANs, asserting that they are all DNS names. */
    public static Set<String> dnsNames(X509Certificate c) throws Exception {
        Set<String> dns = new TreeSet<>();
        for (List<?> san : c.getSubjectAlternativeNames()) {
            assertEquals(2, ((Number) san.get(0)).intValue(), "only DNS names expected, got " + san);
            dns.add((String) san.get(1));
        }
        return dns;
    }

    /** The public half of a PEM private key, through openssl pkey (as a sysadmin would check). */
    public static PublicKey publicKey(Path privateKey) throws Exception {
        Dist.Run r = Dist.run(privateKey.getParent(),
                List.of("openssl", "pkey", "-in", privateKey.toString(), "-pubout"), 60);
        if (r.exit() != 0) {
            throw new AssertionError("openssl pkey failed: " + r);
        }
        byte[] der = Base64.getMimeDecoder().decode(r.stdout().replaceAll("-----[A-Z ]+-----", ""));
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (InvalidKeySpecException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }

    /** Validates leaf + intermediates to Pebble's issuing root (PKIX, no revocation). */
    public static void verifiesToPebbleRoot(List<X509Certificate> chain, Pebble pebble) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate root = (X509Certificate) cf.generateCertificate(
                new ByteArrayInputStream(pebble.issuingRootsPem().getBytes(StandardCharsets.US_ASCII)));
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(chain), p);
    }
}
