package lacme.master.config;

import lacme.common.io.Errno;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lacme's renewal decision for one section: if the first of {@code certificate-chain},
 * {@code certificate} is a regular file whose first PEM certificate can be read, the section is
 * skipped when that certificate's notAfter is more than {@code min-days} days away. min-days is
 * the command-line value, else the section's, else 21; a negative value always renews
 * ({@code --force} is -1), 0 renews only expired certificates. The setting is read as Perl reads
 * a number — leading blanks, sign, decimals and exponent, then anything ("abc" is 0, "7days" is
 * 7, "" is 0, "inf" never renews) — with a warning where Perl warns.
 */
public final class Renewal {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern NUMBER = Pattern.compile(
            "[ \\t\\n\\r\\f\\x0B]*([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");
    private static final Pattern INFNAN = Pattern.compile(
            "[ \\t\\n\\r\\f\\x0B]*([+-]?)(inf(?:inity)?|nan)", Pattern.CASE_INSENSITIVE);
    private static final Pattern CERT = Pattern.compile(
            "-----BEGIN (?:X509 )?CERTIFICATE-----\\r?\\n([A-Za-z0-9+/=\\r\\n]+?)-----END (?:X509 )?CERTIFICATE-----");

    private Renewal() {
    }

    /**
     * The "Valid until …, skipping" line when the section is to be skipped, else null.
     *
     * @param minDaysOption --min-days (or -1 for --force), null when not given
     * @param warn          receives a warning when the section's min-days is not a number
     */
    public static String skip(String section, Map<String, String> conf, Integer minDaysOption, Instant now,
                              Consumer<String> warn) {
        String chain = conf.get("certificate-chain");
        String path = chain != null && !chain.isEmpty() ? chain : conf.get("certificate");
        if (path == null || path.isEmpty() || !Files.isRegularFile(Path.of(path))) {
            return null;
        }
        String[] why = new String[1];
        Instant notAfter = notAfter(Path.of(path), why);
        if (notAfter == null) {
            // renewed as lacme does, but not silently: a sysadmin may want to know why (issue 15)
            warn.accept("[" + section + "] Warning: " + path + ": " + why[0] + ", renewing");
            return null;
        }
        double d;
        if (minDaysOption != null) {
            d = minDaysOption;
        } else if (conf.get("min-days") != null) {
            String v = conf.get("min-days");
            d = numify(v);
            if (!isNumeric(v)) {
                warn.accept("[" + section + "] Warning: min-days: \"" + v + "\" isn't numeric, read as " + fmt(d));
            }
        } else {
            d = 21;
        }
        if (d >= 0 && notAfter.getEpochSecond() - now.getEpochSecond() > d * 86400) {
            return "[" + section + "] Valid until " + UTC.format(notAfter) + ", skipping";
        }
        return null;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** notAfter of the file's first PEM certificate, or null (lacme then renews) with the reason in {@code why[0]}. */
    static Instant notAfter(Path p, String[] why) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (IOException e) {
            why[0] = "cannot read the certificate (" + Errno.reason(e) + ")";
            return null;
        }
        Matcher m = CERT.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        if (!m.find()) {
            why[0] = "no PEM certificate in the file";
            return null;
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return c.getNotAfter().toInstant();
        } catch (CertificateException | IllegalArgumentException e) {
            why[0] = "the certificate cannot be parsed";
            return null;
        }
    }

    /** Perl's numification of a string. */
    public static double numify(String s) {
        Matcher m = NUMBER.matcher(s);
        if (m.lookingAt()) {
            return Double.parseDouble(m.group(1));
        }
        m = INFNAN.matcher(s);
        if (m.lookingAt()) {
            if (m.group(2).toLowerCase(Locale.ROOT).equals("nan")) {
                return Double.NaN;
            }
            return m.group(1).equals("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return 0;
    }

    /** Perl's looks_like_number (no warning when used as a number). */
    public static boolean isNumeric(String s) {
        String t = s.replaceFirst("[ \\t\\n\\r\\f\\x0B]+\\z", "");
        Matcher m = NUMBER.matcher(t);
        if (m.matches()) {
            return true;
        }
        return INFNAN.matcher(t).matches();
    }
}
