package lacme.testkit;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * PKCS#10 requests and service keys for tests that need a certificate issued without the
 * master (which makes the real CSRs). Kept in the testkit so every module's tests build
 * them the same way.
 */
public final class TestCsr {
    private TestCsr() {
    }

    /** A fresh RSA key of {@code bits}. */
    public static KeyPair rsa(int bits) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    /** A fresh EC P-256 key. */
    public static KeyPair ecP256() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** DER of a CSR with subject CN = the first name and a subjectAltName of all DNS names. */
    public static byte[] der(KeyPair key, String... dnsNames) throws GeneralSecurityException {
        try {
            GeneralName[] sans = new GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                sans[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            String alg = key.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + dnsNames[0]), key.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                    .build(new JcaContentSignerBuilder(alg).build(key.getPrivate()))
                    .getEncoded();
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot build CSR", e);
        }
    }

    /** The same, base64url without padding (as the control channel carries it). */
    public static String base64url(KeyPair key, String... dnsNames) throws GeneralSecurityException {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(der(key, dnsNames));
    }
}
