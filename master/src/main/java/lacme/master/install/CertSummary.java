package lacme.master.install;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * What lacme prints on stdout about a certificate, in the layout of its
 * {@code openssl x509 -noout -fingerprint -sha256 -text -certopt
 * no_header,no_version,no_pubkey,no_sigdump[,no_extensions]}: the SHA-256 fingerprint line,
 * serial number, signature algorithm, issuer, validity and subject exactly as OpenSSL 3.0
 * writes them, then (after an install) the usual extensions, so scripts reading lacme's
 * output keep working.
 */
public final class CertSummary {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'",
            Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final Map<String, String> SIG = Map.of(
            "1.2.840.113549.1.1.5", "sha1WithRSAEncryption", "1.2.840.113549.1.1.11", "sha256WithRSAEncryption",
            "1.2.840.113549.1.1.12", "sha384WithRSAEncryption", "1.2.840.113549.1.1.13", "sha512WithRSAEncryption",
            "1.2.840.113549.1.1.10", "rsassaPss", "1.2.840.10045.4.3.2", "ecdsa-with-SHA256",
            "1.2.840.10045.4.3.3", "ecdsa-with-SHA384", "1.2.840.10045.4.3.4", "ecdsa-with-SHA512",
            "1.3.101.112", "ED25519");
    private static final Map<String, String> SHORT = Map.ofEntries(Map.entry("2.5.4.3", "CN"),
            Map.entry("2.5.4.6", "C"), Map.entry("2.5.4.7", "L"), Map.entry("2.5.4.8", "ST"),
            Map.entry("2.5.4.10", "O"), Map.entry("2.5.4.11", "OU"), Map.entry("2.5.4.5", "serialNumber"),
            Map.entry("2.5.4.9", "street"), Map.entry("2.5.4.12", "title"), Map.entry("2.5.4.42", "GN"),
            Map.entry("2.5.4.4", "SN"), Map.entry("1.2.840.113549.1.9.1", "emailAddress"),
            Map.entry("0.9.2342.19200300.100.1.25", "DC"), Map.entry("0.9.2342.19200300.100.1.1", "UID"));
    private static final String[] KU = {"Digital Signature", "Non Repudiation", "Key Encipherment",
        "Data Encipherment", "Key Agreement", "Certificate Sign", "CRL Sign", "Encipher Only", "Decipher Only"};
    private static final Map<String, String> EKU = Map.of("1.3.6.1.5.5.7.3.1", "TLS Web Server Authentication",
            "1.3.6.1.5.5.7.3.2", "TLS Web Client Authentication", "1.3.6.1.5.5.7.3.3", "Code Signing",
            "1.3.6.1.5.5.7.3.4", "E-mail Protection", "1.3.6.1.5.5.7.3.9", "OCSP Signing");

    private CertSummary() {
    }

    /** After an install: with extensions. */
    public static String of(X509Certificate c) {
        return of(c, true);
    }

    /** {@code extensions} false is revokeCert's {@code no_extensions}. */
    public static String of(X509Certificate c, boolean extensions) {
        StringBuilder b = new StringBuilder();
        b.append("sha256 Fingerprint=").append(fingerprint(c)).append('\n');
        BigInteger serial = c.getSerialNumber();
        byte[] mag = serial.abs().toByteArray();
        if (mag.length > 1 && mag[0] == 0) {
            mag = java.util.Arrays.copyOfRange(mag, 1, mag.length);
        }
        if (mag.length <= 8 && serial.abs().bitLength() < 64) {
            String neg = serial.signum() < 0 ? "-" : "";
            b.append("        Serial Number: ").append(neg).append(serial.abs()).append(" (").append(neg)
                    .append("0x").append(serial.abs().toString(16)).append(")\n");
        } else {
            b.append("        Serial Number:").append(serial.signum() < 0 ? " (Negative)" : "").append('\n')
                    .append("            ").append(HexFormat.ofDelimiter(":").formatHex(mag)).append('\n');
        }
        b.append("        Signature Algorithm: ").append(SIG.getOrDefault(c.getSigAlgOID(), c.getSigAlgOID()))
                .append('\n');
        b.append("        Issuer: ").append(name(c.getIssuerX500Principal())).append('\n');
        b.append("        Validity\n");
        b.append("            Not Before: ").append(DATE.format(c.getNotBefore().toInstant())).append('\n');
        b.append("            Not After : ").append(DATE.format(c.getNotAfter().toInstant())).append('\n');
        b.append("        Subject: ").append(name(c.getSubjectX500Principal())).append('\n');
        X509CertificateHolder h = extensions ? holder(c) : null;
        if (h != null && h.getExtensions() != null) {
            b.append("        X509v3 extensions:\n");
            Extensions ext = h.getExtensions();
            for (ASN1ObjectIdentifier oid : ext.getExtensionOIDs()) {
                extension(b, ext.getExtension(oid), c);
            }
        }
        return b.toString();
    }

    private static void extension(StringBuilder b, Extension e, X509Certificate c) {
        String oid = e.getExtnId().getId();
        String crit = e.isCritical() ? "critical" : "";
        String title;
        List<String> lines = new ArrayList<>();
        HexFormat hex = HexFormat.ofDelimiter(":").withUpperCase();
        try {
            switch (oid) {
                case "2.5.29.14" -> {
                    title = "X509v3 Subject Key Identifier";
                    lines.add(hex.formatHex(SubjectKeyIdentifier.getInstance(e.getParsedValue()).getKeyIdentifier()));
                }
                case "2.5.29.35" -> {
                    title = "X509v3 Authority Key Identifier";
                    byte[] k = AuthorityKeyIdentifier.getInstance(e.getParsedValue()).getKeyIdentifier();
                    lines.add(k == null ? "(no key id)" : hex.formatHex(k));
                }
                case "2.5.29.19" -> {
                    title = "X509v3 Basic Constraints";
                    BasicConstraints bc = BasicConstraints.getInstance(e.getParsedValue());
                    lines.add("CA:" + (bc.isCA() ? "TRUE" : "FALSE")
                            + (bc.getPathLenConstraint() != null ? ", pathlen:" + bc.getPathLenConstraint() : ""));
                }
                case "2.5.29.15" -> {
                    title = "X509v3 Key Usage";
                    List<String> u = new ArrayList<>();
                    boolean[] ku = c.getKeyUsage();
                    for (int i = 0; ku != null && i < Math.min(ku.length, KU.length); i++) {
                        if (ku[i]) {
                            u.add(KU[i]);
                        }
                    }
                    lines.add(String.join(", ", u));
                }
                case "2.5.29.37" -> {
                    title = "X509v3 Extended Key Usage";
                    List<String> u = new ArrayList<>();
                    for (String k : c.getExtendedKeyUsage()) {
                        u.add(EKU.getOrDefault(k, k));
                    }
                    lines.add(String.join(", ", u));
                }
                case "2.5.29.17" -> {
                    title = "X509v3 Subject Alternative Name";
                    List<String> n = new ArrayList<>();
                    for (List<?> s : c.getSubjectAlternativeNames()) {
                        int t = (Integer) s.get(0);
                        n.add((t == 2 ? "DNS:" : t == 7 ? "IP Address:" : t == 1 ? "email:" : t == 6 ? "URI:"
                                : "othername:") + escape(String.valueOf(s.get(1))));
                    }
                    lines.add(String.join(", ", n));
                }
                case "1.3.6.1.5.5.7.1.24" -> {
                    title = "TLS Feature";
                    lines.add(e.getParsedValue().toString());
                }
                default -> title = oid;
            }
        } catch (Exception ex) {
            title = oid;
            lines.clear();
        }
        b.append("            ").append(title).append(": ").append(crit).append('\n');
        for (String l : lines) {
            b.append("                ").append(l).append('\n');
        }
    }

    /** OpenSSL's "oneline" name format: {@code C = US, O = Org, CN = name}. */
    static String name(X500Name n) {
        List<String> parts = new ArrayList<>();
        for (RDN rdn : n.getRDNs()) {
            List<String> avas = new ArrayList<>();
            for (AttributeTypeAndValue a : rdn.getTypesAndValues()) {
                String t = SHORT.getOrDefault(a.getType().getId(), a.getType().getId());
                String raw = a.getValue().toString();
                String v = escape(raw);
                if (raw.matches("(?s).*[,+;<>\\\\\"].*|^[ #].*|.* $")) {
                    v = "\"" + v.replace("\"", "\\\"") + "\"";
                }
                avas.add(t + " = " + v);
            }
            parts.add(String.join(" + ", avas));
        }
        return String.join(", ", parts);
    }

    /** A name as {@link #name(X500Name)}; the JDK's RFC 2253 form if BouncyCastle cannot read it. */
    static String name(X500Principal p) {
        try {
            return name(X500Name.getInstance(p.getEncoded()));
        } catch (RuntimeException e) {
            return escape(p.getName());
        }
    }

    /**
     * Escapes what the CA put in a name or SAN that a terminal would act on (control, format
     * and line-separator characters) as OpenSSL prints them: each UTF-8 byte as {@code \XX}
     * ({@code a\1B[31m}). The summary goes to root's terminal and to scripts.
     */
    static String escape(String v) {
        StringBuilder b = new StringBuilder(v.length());
        v.codePoints().forEach(cp -> {
            int t = Character.getType(cp);
            if (t == Character.CONTROL || t == Character.FORMAT || t == Character.LINE_SEPARATOR
                    || t == Character.PARAGRAPH_SEPARATOR) {
                for (byte x : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                    b.append(String.format("\\%02X", x & 0xff));
                }
            } else {
                b.appendCodePoint(cp);
            }
        });
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

    /**
     * The certificate as BouncyCastle reads it (for the extensions), or null when BouncyCastle
     * refuses what the JDK accepted: the summary then leaves the extensions out rather than fail
     * after the certificate was installed.
     */
    private static X509CertificateHolder holder(X509Certificate c) {
        try {
            return new X509CertificateHolder(c.getEncoded());
        } catch (CertificateEncodingException | IOException | RuntimeException e) {
            return null;
        }
    }
}
