package lacme.master.install;

import lacme.master.csr.SubjectAltNames;

import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a chain received from the (untrusted) client may be installed: the leaf's
 * key must be the CSR's key, the chain must verify to a CAfile anchor for TLS server use, and
 * the leaf must name every identifier that was asked for. A chain failing any check is never
 * written, so a compromised client or CA answer cannot replace a working certificate.
 */
public final class ChainVerifier {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EKU = "2.5.29.37.0";

    private ChainVerifier() {
    }

    /**
     * Verifies; returns nothing and throws {@link GeneralSecurityException} with a short reason.
     *
     * @param anchors trust anchors from CAfile, or null to skip path validation (CAfile empty)
     */
    public static void verify(List<X509Certificate> chain, PublicKey csrKey, Collection<X509Certificate> anchors,
                              List<SubjectAltNames.Name> requested) throws GeneralSecurityException {
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the chain");
        }
        X509Certificate leaf = chain.get(0);
        if (!Arrays.equals(leaf.getPublicKey().getEncoded(), csrKey.getEncoded())) {
            throw new GeneralSecurityException("the certificate's public key is not the CSR's");
        }
        coverage(leaf, requested);
        List<String> eku = leaf.getExtendedKeyUsage();
        if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EKU)) {
            throw new GeneralSecurityException("the certificate is not valid for TLS server authentication");
        }
        if (anchors == null) {
            return;
        }
        Set<TrustAnchor> ta = new HashSet<>();
        for (X509Certificate a : anchors) {
            ta.add(new TrustAnchor(a, null));
        }
        if (ta.isEmpty()) {
            throw new GeneralSecurityException("CAfile holds no certificate");
        }
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (anchors.contains(c)) {
                break; // the path ends at an anchor
            }
            path.add(c);
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        CertPath cp = cf.generateCertPath(path);
        PKIXParameters params = new PKIXParameters(ta);
        params.setRevocationEnabled(false);
        try {
            CertPathValidator.getInstance("PKIX").validate(cp, params);
        } catch (CertPathValidatorException e) {
            throw new GeneralSecurityException("the chain does not verify against CAfile: " + e.getMessage());
        }
    }

    private static void coverage(X509Certificate leaf, List<SubjectAltNames.Name> requested)
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
        for (SubjectAltNames.Name n : requested) {
            boolean ok = n.type().equals("dns") ? dns.contains(n.value().toLowerCase(Locale.ROOT))
                    : ips.contains(normalizeIp(n.value()));
            if (!ok) {
                throw new GeneralSecurityException("the certificate does not name " + n.value());
            }
        }
    }

    private static String normalizeIp(String ip) {
        try {
            return InetAddress.getByName(ip).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return ip;
        }
    }
}
