package lacme.master.install;

import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The RFC 5280 conformance checks OpenSSL 3.0 applies with {@code -x509_strict} (lacme's
 * verification passes it), for every certificate of a path of two or more, trust anchor
 * included: a CA's basicConstraints is critical and it has keyUsage and a subjectKeyIdentifier;
 * a non-CA has no keyCertSign; pathLen only on a CA with keyCertSign; non-empty issuer; a
 * non-empty subject for CAs, CRL signers and certificates without subjectAltName, otherwise a
 * critical subjectAltName; no empty subjectAltName; matching inner and outer signature
 * algorithms; non-critical key identifiers; an authorityKeyIdentifier with a key id on all but
 * the last certificate; no extensions before version 3.
 */
final class StrictChecks {
    private StrictChecks() {
    }

    static void check(List<X509Certificate> path) throws GeneralSecurityException {
        if (path.size() < 2) {
            return;
        }
        for (int i = 0; i < path.size(); i++) {
            X509CertificateHolder h;
            try {
                h = new X509CertificateHolder(path.get(i).getEncoded());
            } catch (CertificateEncodingException | IOException e) {
                throw new GeneralSecurityException("unreadable certificate in the chain");
            }
            String problem = problem(h, i, path.size());
            if (problem != null) {
                throw new GeneralSecurityException((i == 0 ? "the certificate" : "CA certificate "
                        + h.getSubject()) + ": " + problem + " (x509_strict)");
            }
        }
    }

    private static String problem(X509CertificateHolder h, int i, int num) {
        Extensions ext = h.getExtensions();
        Extension bcExt = ext == null ? null : ext.getExtension(Extension.basicConstraints);
        BasicConstraints bc = bcExt == null ? null : BasicConstraints.getInstance(bcExt.getParsedValue());
        boolean ca = bc != null && bc.isCA();
        Extension kuExt = ext == null ? null : ext.getExtension(Extension.keyUsage);
        KeyUsage ku = kuExt == null ? null : KeyUsage.getInstance(kuExt.getParsedValue());
        boolean keyCertSign = ku != null && ku.hasUsages(KeyUsage.keyCertSign);
        Extension sanExt = ext == null ? null : ext.getExtension(Extension.subjectAlternativeName);
        Extension akiExt = ext == null ? null : ext.getExtension(Extension.authorityKeyIdentifier);
        Extension skiExt = ext == null ? null : ext.getExtension(Extension.subjectKeyIdentifier);
        boolean subjectEmpty = h.getSubject().getRDNs().length == 0;
        if (bc != null && bc.getPathLenConstraint() != null && (!ca || !keyCertSign)) {
            return "pathLenConstraint on a certificate that cannot sign certificates";
        }
        if (ca && !bcExt.isCritical()) {
            return "basicConstraints of a CA not marked critical";
        }
        if (ca && ku == null) {
            return "CA certificate without keyUsage";
        }
        if (!ca && keyCertSign) {
            return "keyCertSign on a non-CA certificate";
        }
        if (h.getIssuer().getRDNs().length == 0) {
            return "empty issuer name";
        }
        if ((ca || (ku != null && ku.hasUsages(KeyUsage.cRLSign)) || sanExt == null) && subjectEmpty) {
            return "empty subject name";
        }
        if (subjectEmpty && sanExt != null && !sanExt.isCritical()) {
            return "empty subject with a non-critical subjectAltName";
        }
        if (sanExt != null && GeneralNames.getInstance(sanExt.getParsedValue()).getNames().length == 0) {
            return "empty subjectAltName";
        }
        TBSCertificate tbs = h.toASN1Structure().getTBSCertificate();
        if (!tbs.getSignature().equals(h.getSignatureAlgorithm())) {
            return "inner and outer signature algorithms differ";
        }
        if (akiExt != null && akiExt.isCritical()) {
            return "critical authorityKeyIdentifier";
        }
        if (skiExt != null && skiExt.isCritical()) {
            return "critical subjectKeyIdentifier";
        }
        if (h.getVersionNumber() >= 3) {
            if (i + 1 < num && (akiExt == null
                    || AuthorityKeyIdentifier.getInstance(akiExt.getParsedValue()).getKeyIdentifier() == null)) {
                return "missing authorityKeyIdentifier";
            }
            if (ca && skiExt == null) {
                return "CA certificate without subjectKeyIdentifier";
            }
        } else if (ext != null && ext.getExtensionOIDs().length > 0) {
            return "extensions require version 3";
        }
        return null;
    }
}
