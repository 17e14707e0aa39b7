package lacme.webserver;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * tls-alpn-01 (RFC 8737) validation certificates, built from what the client leaves in the
 * challenge directory. The client writes the key authorization of the identifier
 * {@code NAME} to the file {@code alpn.NAME}, where NAME is the lower-case DNS name, or for
 * an IP identifier the reverse-mapping name the CA sends as SNI (RFC 8738 §6, e.g.
 * {@code 1.0.0.127.in-addr.arpa}). The directory's writer is not trusted: the SNI name and
 * the file content are both checked against a strict syntax, and the file is read as
 * {@link ChallengeFiles} reads every challenge file (no links, bounded size).
 */
final class AlpnCertificates {
    /** RFC 8737 §6.1: id-pe-acmeIdentifier. */
    static final ASN1ObjectIdentifier ACME_IDENTIFIER = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.31");
    /** The ALPN protocol name of RFC 8737. */
    static final String PROTOCOL = "acme-tls/1";
    /** File name prefix in the challenge directory. */
    static final String PREFIX = "alpn.";
    /** A DNS name (labels of letters, digits and hyphens), which is all a file name may carry. */
    private static final Pattern NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    /** RFC 8555 §8.1: token "." base64url(thumbprint). */
    private static final Pattern KEY_AUTHORIZATION = Pattern.compile("[A-Za-z0-9_-]{1,255}\\.[A-Za-z0-9_-]{43,86}");

    /** The certificate to present and its key. */
    record Issued(X509Certificate certificate, PrivateKey key) {
    }

    private final ChallengeFiles files;
    private final SecureRandom random = new SecureRandom();

    AlpnCertificates(ChallengeFiles files) {
        this.files = files;
    }

    /**
     * The validation certificate for the SNI name {@code sni}; throws with a one-line reason
     * (for the log) when there is none to give.
     */
    Issued forName(String sni) throws GeneralSecurityException {
        String name = sni == null ? "" : sni.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!NAME.matcher(name).matches()) {
            throw new GeneralSecurityException("no acceptable SNI name");
        }
        ChallengeFiles.Result r = files.load(PREFIX + name);
        if (r.status() != 200) {
            throw new GeneralSecurityException("no challenge for " + name
                    + (r.status() == 404 ? "" : " (file refused)"));
        }
        String keyAuthorization = new String(r.body(), StandardCharsets.US_ASCII).strip();
        if (!KEY_AUTHORIZATION.matcher(keyAuthorization).matches()) {
            throw new GeneralSecurityException("challenge file for " + name + " is not a key authorization");
        }
        return build(name, keyAuthorization);
    }

    /**
     * A self-signed certificate (fresh P-256 key) whose only subjectAltName is {@code name}
     * (an IP address for a reverse-mapping name) and which carries the critical
     * acmeIdentifier extension: an OCTET STRING of SHA-256({@code keyAuthorization}).
     */
    Issued build(String name, String keyAuthorization) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair kp = g.generateKeyPair();
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII));
        InetAddress ip = reverseName(name);
        GeneralName san = ip != null ? new GeneralName(GeneralName.iPAddress, ip.getHostAddress())
                : new GeneralName(GeneralName.dNSName, name);
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=ACME tls-alpn-01 challenge");
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
            b.addExtension(ACME_IDENTIFIER, true, new DEROctetString(digest));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new Issued(cert, kp.getPrivate());
        } catch (OperatorCreationException | java.io.IOException e) {
            throw new GeneralSecurityException("cannot build the certificate for " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The address named by an RFC 8738 reverse-mapping name ({@code d.c.b.a.in-addr.arpa},
     * 32 nibbles {@code .ip6.arpa}), or null for any other name.
     */
    static InetAddress reverseName(String name) {
        String[] l = name.split("\\.");
        byte[] addr;
        if (name.endsWith(".in-addr.arpa") && l.length == 6) {
            addr = new byte[4];
            for (int i = 0; i < 4; i++) {
                String o = l[3 - i];
                if (!o.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(o) > 255) {
                    return null;
                }
                addr[i] = (byte) Integer.parseInt(o);
            }
        } else if (name.endsWith(".ip6.arpa") && l.length == 34) {
            addr = new byte[16];
            for (int i = 0; i < 32; i++) {
                String n = l[31 - i];
                if (!n.matches("[0-9a-f]")) {
                    return null;
                }
                addr[i / 2] |= (byte) (Integer.parseInt(n, 16) << (i % 2 == 0 ? 4 : 0));
            }
        } else {
            return null;
        }
        try {
            return InetAddress.getByAddress(addr);
        } catch (UnknownHostException e) {
            return null; // unreachable: the length is right
        }
    }
}
