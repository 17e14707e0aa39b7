package lacme.master.install;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;

/**
 * OpenSSL's {@code -purpose sslserver} ({@code check_purpose_ssl_server}/{@code check_ssl_ca}),
 * which lacme's verification applies: the leaf's extendedKeyUsage, if present, names serverAuth
 * (or a Netscape/Microsoft server-gated-crypto usage — not anyExtendedKeyUsage); its keyUsage, if
 * present, has digitalSignature, keyEncipherment or keyAgreement; its Netscape cert type, if
 * present, has "SSL server". Each intermediate (the trust anchor is trusted as such) has the
 * same extendedKeyUsage rule and, with a Netscape cert type, "SSL CA".
 */
final class SslServerPurpose {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String NS_SGC = "2.16.840.1.113730.4.1";
    private static final String MS_SGC = "1.3.6.1.4.1.311.10.3.3";
    private static final String NS_CERT_TYPE = "2.16.840.1.113730.1.1";
    private static final int NS_SSL_SERVER = 0x40;
    private static final int NS_SSL_CA = 0x04;

    private SslServerPurpose() {
    }

    static void check(List<X509Certificate> path) throws GeneralSecurityException {
        for (int i = 0; i < path.size() - 1; i++) {
            X509Certificate c = path.get(i);
            String who = i == 0 ? "the certificate" : "intermediate " + c.getSubjectX500Principal().getName();
            List<String> eku;
            try {
                eku = c.getExtendedKeyUsage();
            } catch (CertificateParsingException e) {
                throw new GeneralSecurityException(who + ": unreadable extendedKeyUsage");
            }
            if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(NS_SGC) && !eku.contains(MS_SGC)) {
                throw new GeneralSecurityException(who + " is not valid for TLS server authentication"
                        + " (extendedKeyUsage without serverAuth)");
            }
            int ns = nsCertType(c);
            if (i == 0) {
                boolean[] ku = c.getKeyUsage();
                if (ku != null && !(bit(ku, 0) || bit(ku, 2) || bit(ku, 4))) {
                    throw new GeneralSecurityException(who + "'s keyUsage does not allow TLS");
                }
                if (ns >= 0 && (ns & NS_SSL_SERVER) == 0) {
                    throw new GeneralSecurityException(who + "'s Netscape cert type is not SSL server");
                }
            } else if (ns >= 0 && (ns & NS_SSL_CA) == 0) {
                throw new GeneralSecurityException(who + "'s Netscape cert type is not SSL CA");
            }
        }
    }

    private static boolean bit(boolean[] b, int i) {
        return i < b.length && b[i];
    }

    /** The Netscape cert type bits (first octet), or -1 without the extension. */
    private static int nsCertType(X509Certificate c) throws GeneralSecurityException {
        byte[] v = c.getExtensionValue(NS_CERT_TYPE);
        if (v == null) {
            return -1;
        }
        try {
            byte[] inner = DEROctetString.getInstance(v).getOctets();
            byte[] bits = ASN1BitString.getInstance(ASN1Primitive.fromByteArray(inner)).getBytes();
            return bits.length == 0 ? 0 : bits[0] & 0xff;
        } catch (java.io.IOException | RuntimeException e) {
            throw new GeneralSecurityException("unreadable Netscape cert type");
        }
    }
}
