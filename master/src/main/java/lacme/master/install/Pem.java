package lacme.master.install;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificate reading and writing. Like OpenSSL's PEM_X509_INFO_read_bio (what lacme reads
 * the client's answer with), CERTIFICATE blocks are read in order, other blocks and text around
 * them are ignored, and a CERTIFICATE block that does not decode is an error.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN (X509 )?CERTIFICATE-----(.*?)-----END \\1?CERTIFICATE-----", Pattern.DOTALL);

    private Pem() {
    }

    /** Parses every certificate block in order; a block that is not a certificate is an error. */
    public static List<X509Certificate> parse(String pem) throws CertificateException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            byte[] der;
            try {
                der = Base64.getDecoder().decode(m.group(2).replaceAll("[ \\t\\r\\n]", ""));
            } catch (IllegalArgumentException e) {
                throw new CertificateException("bad base64 in a PEM block");
            }
            out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        return out;
    }

    /** Reads the certificates of a file. */
    public static List<X509Certificate> read(Path file) throws IOException, CertificateException {
        return parse(Files.readString(file, StandardCharsets.US_ASCII));
    }

    /**
     * The first certificate of a file in PEM, or else the whole file as DER — what
     * {@code openssl x509 -in FILE} (lacme's revokeCert) accepts.
     */
    public static X509Certificate readFirst(Path file) throws IOException, CertificateException {
        byte[] bytes = Files.readAllBytes(file);
        List<X509Certificate> pem = parse(new String(bytes, StandardCharsets.ISO_8859_1));
        if (!pem.isEmpty()) {
            return pem.get(0);
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
            throw new CertificateException("not a PEM or DER certificate");
        }
    }

    /** Encodes one certificate as PEM (64-column lines, trailing newline). */
    public static String encode(X509Certificate c) {
        try {
            String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(c.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
