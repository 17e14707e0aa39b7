package lacme.master.status;

import lacme.common.text.Sanitize;
import lacme.master.config.Renewal;
import lacme.master.csr.Identifiers;
import lacme.master.install.Pem;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reads one section's installed certificate and asks the renewal decision what the next
 * {@code newOrder} run would do, without network and without writing anything: {@code status}
 * must be safe to run from a monitoring agent every minute.
 */
public final class Inspector {
    /** Longest name or issuer shown: a hostile CA could put megabytes in a certificate. */
    static final int MAX_TEXT = 256;

    private Inspector() {
    }

    /**
     * @param conf          the section's settings
     * @param minDaysOption --min-days (-1 for --force) or null, as newOrder takes it
     */
    public static SectionStatus inspect(String section, Map<String, String> conf, Integer minDaysOption, Instant now) {
        String chain = conf.get("certificate-chain");
        String file = chain != null && !chain.isEmpty() ? chain : conf.get("certificate");
        List<String> configured = new ArrayList<>();
        if (conf.get("subject") != null) {
            Identifiers.of(conf, w -> { }).forEach(n -> configured.add(n.value()));
        }
        if (file == null || file.isEmpty()) {
            return new SectionStatus(section, SectionStatus.State.UNCONFIGURED, null, configured, null, null, null,
                    null, null, null, false, "neither 'certificate' nor 'certificate-chain' is set", null);
        }
        // the decision newOrder takes (its warnings are newOrder's to give)
        boolean due = Renewal.skip(section, conf, minDaysOption, now, w -> { }) == null;
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            return new SectionStatus(section, SectionStatus.State.MISSING, file, configured, null, null, null, null,
                    null, null, true, "no certificate yet", now);
        }
        X509Certificate c;
        try {
            if (!Files.isRegularFile(p)) {
                throw new IOException("not a regular file");
            }
            c = Pem.readFirst(p);
            if (c == null) {
                throw new CertificateException("no PEM certificate in the file");
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            String why = Sanitize.line(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), MAX_TEXT);
            return new SectionStatus(section, SectionStatus.State.UNREADABLE, file, configured, null, null, null, null,
                    null, null, due, "certificate unreadable (" + why + ")", due ? now : null);
        }
        Instant notAfter = c.getNotAfter().toInstant();
        SectionStatus.State state = notAfter.isAfter(now) ? SectionStatus.State.VALID : SectionStatus.State.EXPIRED;
        double minDays = minDays(conf, minDaysOption);
        Instant next = nextRenewal(notAfter, minDays, now);
        String reason;
        if (minDays < 0) {
            reason = "--force";
        } else if (state == SectionStatus.State.EXPIRED) {
            reason = "expired";
        } else if (due) {
            reason = "expires within " + fmt(minDays) + " days (min-days)";
        } else {
            reason = "more than " + fmt(minDays) + " days left (min-days)";
        }
        List<String> names = names(c);
        return new SectionStatus(section, state, file, names.isEmpty() ? configured : names, keyType(c.getPublicKey()),
                issuer(c), c.getNotBefore().toInstant(), notAfter, fingerprint(c), null, due, reason,
                due ? now : next);
    }

    /** newOrder's min-days: the option, else the section's (read as Perl reads a number), else 21. */
    static double minDays(Map<String, String> conf, Integer minDaysOption) {
        if (minDaysOption != null) {
            return minDaysOption;
        }
        String v = conf.get("min-days");
        return v != null ? Renewal.numify(v) : 21;
    }

    /** notAfter minus min-days, or null when the certificate is never renewed (min-days infinite or NaN). */
    static Instant nextRenewal(Instant notAfter, double minDays, Instant now) {
        if (minDays < 0) {
            return now;
        }
        if (Double.isNaN(minDays) || Double.isInfinite(minDays)) {
            return Double.isInfinite(minDays) ? now : null;
        }
        return notAfter.minusSeconds((long) Math.ceil(minDays * 86400));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** DNS names and IP addresses of the subjectAltName, in the certificate's order, sanitised. */
    static List<String> names(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> s : sans) {
                    int t = (Integer) s.get(0);
                    if ((t == 2 || t == 7) && s.get(1) instanceof String v) {
                        out.add(Sanitize.line(v, MAX_TEXT));
                    }
                }
            }
        } catch (CertificateParsingException | RuntimeException e) {
            // no names shown: the configured ones are
        }
        return out;
    }

    /** The issuer's CN (sanitised), or its whole RFC 2253 name when it has none. */
    static String issuer(X509Certificate c) {
        try {
            X500Name n = X500Name.getInstance(c.getIssuerX500Principal().getEncoded());
            for (RDN rdn : n.getRDNs(BCStyle.CN)) {
                return Sanitize.line(IETFUtils.valueToString(rdn.getFirst().getValue()), MAX_TEXT);
            }
        } catch (RuntimeException e) {
            // the JDK's name below
        }
        return Sanitize.line(c.getIssuerX500Principal().getName(), MAX_TEXT);
    }

    /** {@code RSA-2048}, {@code EC-P256}, {@code EC-P384}, {@code Ed25519}, else the algorithm name. */
    static String keyType(PublicKey k) {
        if (k instanceof RSAPublicKey r) {
            return "RSA-" + r.getModulus().bitLength();
        }
        if (k instanceof ECPublicKey e) {
            int bits = e.getParams().getCurve().getField().getFieldSize();
            return bits == 521 ? "EC-P521" : "EC-P" + bits;
        }
        return Sanitize.line(k.getAlgorithm(), 32);
    }

    static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateException e) {
            return null;
        }
    }
}
