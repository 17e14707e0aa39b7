package lacme.master.install;

import lacme.master.csr.Identifiers;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a chain received from the (untrusted) client may be installed, as lacme 0.8.2
 * does and one step further:
 * <ol>
 * <li>the leaf's public key must be the CSR's (lacme compares {@code openssl x509 -pubkey} with
 *     {@code openssl req -pubkey});</li>
 * <li>unless CAfile is empty, {@code openssl verify -trusted CAfile -untrusted CHAIN -purpose
 *     sslserver -x509_strict}: a path from the leaf through the received intermediates (and
 *     CAfile's own non-self-signed certificates) to a self-signed CAfile certificate, valid now,
 *     with the sslserver purpose ({@link SslServerPurpose}) and the RFC 5280 rules of
 *     {@code -x509_strict} ({@link StrictChecks});</li>
 * <li>beyond lacme: the leaf names every identifier that was requested.</li>
 * </ol>
 * A chain failing any check is never written, so a compromised client or a wrong answer cannot
 * replace a working certificate.
 */
public final class ChainVerifier {
    private ChainVerifier() {
    }

    /**
     * Verifies; throws {@link GeneralSecurityException} with a short reason.
     *
     * @param caFile CAfile's certificates, or null to skip path validation (CAfile empty)
     */
    public static void verify(List<X509Certificate> chain, PublicKey csrKey, Collection<X509Certificate> caFile,
                              List<Identifiers.Name> requested, Instant now) throws GeneralSecurityException {
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the chain");
        }
        X509Certificate leaf = chain.get(0);
        if (!Arrays.equals(leaf.getPublicKey().getEncoded(), csrKey.getEncoded())) {
            throw new GeneralSecurityException("the certificate's public key is not the CSR's");
        }
        if (caFile != null) {
            List<X509Certificate> path = path(chain, caFile, now);
            SslServerPurpose.check(path);
            StrictChecks.check(path);
        }
        coverage(leaf, requested);
    }

    /** Builds and validates the path; returns it from the leaf to the trust anchor inclusive. */
    static List<X509Certificate> path(List<X509Certificate> chain, Collection<X509Certificate> caFile, Instant now)
            throws GeneralSecurityException {
        Set<TrustAnchor> anchors = new HashSet<>();
        List<X509Certificate> pool = new ArrayList<>(chain);
        for (X509Certificate c : caFile) {
            if (selfSigned(c)) {
                anchors.add(new TrustAnchor(c, null));
            } else {
                pool.add(c);
            }
        }
        if (anchors.isEmpty()) {
            throw new GeneralSecurityException("CAfile holds no self-signed certificate to trust");
        }
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(chain.get(0));
        PKIXBuilderParameters params;
        try {
            params = new PKIXBuilderParameters(anchors, target);
        } catch (InvalidAlgorithmParameterException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
        params.setRevocationEnabled(false);
        params.setDate(Date.from(now));
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
        PKIXCertPathBuilderResult r;
        try {
            r = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
        } catch (CertPathBuilderException e) {
            throw new GeneralSecurityException("the chain does not verify against CAfile: " + reason(e));
        }
        List<X509Certificate> out = new ArrayList<>();
        for (var c : r.getCertPath().getCertificates()) {
            out.add((X509Certificate) c);
        }
        out.add(r.getTrustAnchor().getTrustedCert());
        return out;
    }

    private static String reason(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : e.getMessage();
    }

    static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static void coverage(X509Certificate leaf, List<Identifiers.Name> requested)
            throws GeneralSecurityException {
        Set<String> dns = new HashSet<>();
        Set<String> ips = new HashSet<>();
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == 2) {
                    dns.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
                } else if (type == 7) {
                    ips.add(normalizeIp((String) san.get(1)));
                }
            }
        }
        for (Identifiers.Name n : requested) {
            boolean ok = n.type().equals("dns") ? dns.contains(n.value().toLowerCase(Locale.ROOT))
                    : ips.contains(normalizeIp(n.value()));
            if (!ok) {
                throw new GeneralSecurityException("the certificate does not name " + n.value());
            }
        }
    }

    private static String normalizeIp(String ip) {
        byte[] b = lacme.master.csr.SubjectAltNames.ipAddress(ip);
        if (b == null) {
            return ip;
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            return ip;
        }
    }
}
