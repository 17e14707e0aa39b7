package lacme.master.status;

import lacme.common.text.Sanitize;
import lacme.master.renew.CurrentCert;
import lacme.master.renew.Decision;
import lacme.master.renew.RenewalPlanner;
import lacme.master.renew.RenewalState;
import lacme.master.renew.Window;
import lacme.master.csr.Identifiers;
import lacme.master.install.Pem;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

    /** Without the renewal state (tests, or no state directory yet). */
    public static SectionStatus inspect(String section, Map<String, String> conf, Integer minDaysOption, Instant now) {
        return inspect(section, conf, minDaysOption, RenewalState.inMemory(), now);
    }

    /**
     * @param conf          the section's settings
     * @param minDaysOption --min-days (-1 for --force) or null, as newOrder takes it
     * @param state         what renewal remembers (the last ARI window and its chosen time); only read
     */
    public static SectionStatus inspect(String section, Map<String, String> conf, Integer minDaysOption,
                                        RenewalState state, Instant now) {
        return inspect(section, conf, minDaysOption, state, null, now);
    }

    /**
     * Like {@link #inspect(String, Map, Integer, RenewalState, Instant)} with the window the CA
     * gives now ({@code live}, null: none asked), which wins over the remembered one. The
     * chosen time is the remembered one while the window is unchanged, else a fresh draw that
     * is not saved (status writes nothing): newOrder draws its own.
     */
    public static SectionStatus inspect(String section, Map<String, String> conf, Integer minDaysOption,
                                        RenewalState state, Window live, Instant now) {
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
        Path p = Path.of(file);
        X509Certificate c = null;
        String problem = null;
        SectionStatus.State st;
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(p)) {
            st = SectionStatus.State.MISSING;
        } else {
            try {
                if (!Files.isRegularFile(p)) {
                    throw new IOException("not a regular file");
                }
                c = Pem.readFirst(p);
                if (c == null) {
                    throw new CertificateException("no PEM certificate in the file");
                }
                st = c.getNotAfter().toInstant().isAfter(now) ? SectionStatus.State.VALID : SectionStatus.State.EXPIRED;
            } catch (IOException | CertificateException | RuntimeException e) {
                problem = Sanitize.line(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), MAX_TEXT);
                st = SectionStatus.State.UNREADABLE;
                c = null;
            }
        }
        // the decision newOrder takes, with the window newOrder last saw (status fetches nothing)
        CurrentCert cert = c == null ? null : CurrentCert.of(c);
        RenewalState.Entry remembered = state.get(section);
        Window window = live != null && cert != null ? live : remembered(remembered, cert);
        Decision d = new RenewalPlanner().decide(section, conf, cert, problem == null ? null
                : "certificate unreadable (" + problem + ")", minDaysOption, window, remembered, now, w -> { })
                .decision();
        SectionStatus.Ari ari = d.windowStart() == null ? null
                : new SectionStatus.Ari(d.windowStart(), d.windowEnd(), d.chosen(), d.explanationUrl());
        String reason = st == SectionStatus.State.MISSING ? "no certificate yet" : d.reason();
        Instant next = d.due() ? now : d.chosen();
        if (c == null) {
            return new SectionStatus(section, st, file, configured, null, null, null, null, null, ari, d.due(),
                    reason, next);
        }
        List<String> names = names(c);
        return new SectionStatus(section, st, file, names.isEmpty() ? configured : names, keyType(c.getPublicKey()),
                issuer(c), c.getNotBefore().toInstant(), c.getNotAfter().toInstant(), fingerprint(c), ari, d.due(),
                reason, next);
    }

    /** The window remembered for this very certificate (whether or not its Retry-After has passed), or null. */
    static Window remembered(RenewalState.Entry e, CurrentCert cert) {
        if (e == null || cert == null || cert.ariId() == null || !cert.ariId().equals(e.ariId())
                || e.windowStart() == null || e.windowEnd() == null || !e.windowStart().isBefore(e.windowEnd())) {
            return null;
        }
        return new Window(e.windowStart(), e.windowEnd(), e.explanationUrl(), e.nextCheck());
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
