package lacme.master.csr;

import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsrBuilderTest {
    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    @Test
    void buildsWhatLacmeBuilds() throws Exception {
        KeyPair kp = ec();
        byte[] der = CsrBuilder.build(kp, "/C=SE/O=Example\\/Org/CN=www.example.test",
                "DNS:www.example.test, DNS:example.test, IP:192.0.2.1", "digitalSignature, keyEncipherment",
                "status_request", "sha384");
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
        assertTrue(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(kp.getPublic())));
        assertEquals("C=SE,O=Example/Org,CN=www.example.test", csr.getSubject().toString());
        Extensions ext = Extensions.getInstance(csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0]
                .getAttrValues().getObjectAt(0));
        Extension bc = ext.getExtension(Extension.basicConstraints);
        assertTrue(bc.isCritical());
        assertFalse(BasicConstraints.getInstance(bc.getParsedValue()).isCA());
        assertNotNull(ext.getExtension(Extension.subjectKeyIdentifier));
        Extension ku = ext.getExtension(Extension.keyUsage);
        assertTrue(ku.isCritical());
        assertTrue(KeyUsage.getInstance(ku.getParsedValue()).hasUsages(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        GeneralName[] names = GeneralNames.getInstance(ext.getExtension(Extension.subjectAlternativeName).getParsedValue()).getNames();
        assertEquals(3, names.length);
        assertEquals(GeneralName.iPAddress, names[2].getTagNo());
        ASN1Sequence tls = ASN1Sequence.getInstance(ext.getExtension(
                new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.24")).getParsedValue());
        assertEquals("5", tls.getObjectAt(0).toString());
        assertEquals("1.2.840.10045.4.3.3", csr.getSignatureAlgorithm().getAlgorithm().getId(), "ecdsa-with-SHA384");
    }

    @Test
    void badSettingsAreNamed() throws Exception {
        KeyPair kp = ec();
        for (Object[] c : List.<Object[]>of(
                new Object[] {"CN=no-slash", null, null, null, null, "subject"},
                new Object[] {"/XX=y", null, null, null, null, "unknown attribute"},
                new Object[] {"/CN=a", "URI:http://x", null, null, null, "subjectAltName"},
                new Object[] {"/CN=a", null, "digitalSignatur", null, null, "keyUsage"},
                new Object[] {"/CN=a", null, null, "must_staple", null, "tlsfeature"},
                new Object[] {"/CN=a", null, null, null, "md5", "hash"})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CsrBuilder.build(kp,
                    (String) c[0], (String) c[1], (String) c[2], (String) c[3], (String) c[4]));
            assertTrue(e.getMessage().contains((String) c[5]), e.getMessage());
        }
    }
}
