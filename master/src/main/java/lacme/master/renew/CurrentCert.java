package lacme.master.renew;

import lacme.common.io.Errno;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The certificate a section has installed: validity and its ARI identifier (RFC 9773 §4.1,
 * base64url(AKI keyIdentifier) "." base64url(serial DER)). Computed by the master from its
 * own file, so the client never needs to see anything but the identifier.
 */
public record CurrentCert(Instant notBefore, Instant notAfter, String ariId) {
    private static final Pattern CERT = Pattern.compile(
            "-----BEGIN (?:X509 )?CERTIFICATE-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+?)-----END (?:X509 )?CERTIFICATE-----");

    /**
     * The installed certificate of a section: the first PEM certificate of the first of
     * {@code certificate-chain}, {@code certificate} that is a regular file (lacme's choice);
     * null when there is none, or (after a warning naming the file and why, issue 15) when it
     * cannot be used — lacme then renews.
     */
    public static CurrentCert ofSection(String section, java.util.Map<String, String> conf,
                                        java.util.function.Consumer<String> warn) {
        String chain = conf.get("certificate-chain");
        String path = chain != null && !chain.isEmpty() ? chain : conf.get("certificate");
        if (path == null || path.isEmpty() || !Files.isRegularFile(Path.of(path))) {
            return null;
        }
        try {
            return read(Path.of(path));
        } catch (IOException e) {
            warn.accept("[" + section + "] Warning: " + path + ": " + e.getMessage() + ", renewing");
            return null;
        }
    }

    /** Reads the first PEM certificate of {@code p}; an IOException says why it cannot be used. */
    public static CurrentCert read(Path p) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (IOException e) {
            throw new IOException("cannot read the certificate (" + Errno.reason(e) + ")", e);
        }
        Matcher m = CERT.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        if (!m.find()) {
            throw new IOException("no PEM certificate in the file");
        }
        try {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Base64.getMimeDecoder().decode(m.group(1))));
            return of(c);
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IOException("the certificate cannot be parsed");
        }
    }

    /** The record for a parsed certificate; ariId is null when it has no authority key identifier. */
    public static CurrentCert of(X509Certificate c) {
        return new CurrentCert(c.getNotBefore().toInstant(), c.getNotAfter().toInstant(), ariId(c));
    }

    /** The ARI CertID of {@code c}, or null without a keyIdentifier in its AKI. */
    public static String ariId(X509Certificate c) {
        byte[] ext = c.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        byte[] keyId;
        try {
            keyId = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets())
                    .getKeyIdentifier();
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (keyId == null) {
            return null;
        }
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        // the serial's DER content octets: two's complement, as BigInteger gives them
        return b.encodeToString(keyId) + "." + b.encodeToString(c.getSerialNumber().toByteArray());
    }

    /** The lifetime, notBefore to notAfter. */
    public java.time.Duration lifetime() {
        return java.time.Duration.between(notBefore, notAfter);
    }
}
