package lacme.master.install;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/** The short summary printed after an install: SHA-256 fingerprint, subject, names, issuer, validity. */
public final class CertSummary {
    private static final DateTimeFormatter FMT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private CertSummary() {
    }

    public static String of(X509Certificate c) {
        StringBuilder b = new StringBuilder();
        b.append("SHA256 Fingerprint=").append(fingerprint(c)).append('\n');
        b.append("    Subject: ").append(c.getSubjectX500Principal().getName()).append('\n');
        b.append("    Subject Alternative Names: ").append(String.join(", ", names(c))).append('\n');
        b.append("    Issuer: ").append(c.getIssuerX500Principal().getName()).append('\n');
        b.append("    Not Before: ").append(FMT.format(c.getNotBefore().toInstant())).append('\n');
        b.append("    Not After : ").append(FMT.format(c.getNotAfter().toInstant())).append('\n');
        b.append("    Serial Number: ").append(c.getSerialNumber().toString(16)).append('\n');
        return b.toString();
    }

    static String fingerprint(X509Certificate c) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> names(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> s : sans) {
                    int t = (Integer) s.get(0);
                    out.add((t == 2 ? "DNS:" : t == 7 ? "IP:" : t + ":") + s.get(1));
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            out.add("(unparsable)");
        }
        return out;
    }
}
