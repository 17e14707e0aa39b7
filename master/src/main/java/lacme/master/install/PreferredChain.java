package lacme.master.install;

import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A section's {@code preferred-chain} (as certbot's and lego's): among the chain the CA
 * returned and the alternates it linked to, the first whose topmost certificate is issued by
 * (or is) the CA with that common name — useful while a CA moves to a new root. An alternate
 * counts only if it carries the very same leaf; the chosen chain is then verified exactly as
 * the default one would be, so the client cannot smuggle anything in through an alternate.
 */
public final class PreferredChain {
    private PreferredChain() {
    }

    /**
     * The chain to install: {@code chain} when {@code preferred} is null or no chain matches.
     *
     * @param alternates the alternate chains as PEM texts, untrusted
     * @param warn       told about each unusable alternate
     */
    public static List<X509Certificate> choose(List<X509Certificate> chain, List<String> alternates, String preferred,
                                               Consumer<String> warn) {
        if (preferred == null || matches(chain, preferred)) {
            return chain;
        }
        int n = 0;
        for (String pem : alternates) {
            n++;
            List<X509Certificate> alt;
            try {
                alt = Pem.parse(pem);
                if (alt.isEmpty() || !Arrays.equals(alt.get(0).getEncoded(), chain.get(0).getEncoded())) {
                    warn.accept("alternate chain " + n + " ignored: its leaf is not the issued certificate");
                    continue;
                }
            } catch (CertificateEncodingException e) {
                warn.accept("alternate chain " + n + " ignored: " + e.getMessage());
                continue;
            } catch (CertificateException e) {
                warn.accept("alternate chain " + n + " ignored: not a PEM certificate chain");
                continue;
            }
            if (matches(alt, preferred)) {
                return alt;
            }
        }
        return chain;
    }

    /** True when the topmost certificate's issuer or subject has common name {@code cn}. */
    static boolean matches(List<X509Certificate> chain, String cn) {
        X509Certificate top = chain.get(chain.size() - 1);
        return cn.equals(commonName(top.getIssuerX500Principal().getName()))
                || cn.equals(commonName(top.getSubjectX500Principal().getName()));
    }

    private static String commonName(String rfc2253) {
        try {
            for (Rdn r : new LdapName(rfc2253).getRdns()) {
                if (r.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(r.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
