package lacme.master.csr;

import lacme.master.install.TestCerts;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CSR lacme builds, from lacme's settings; {@link CsrOpensslParityTest} compares with openssl. */
class CsrBuilderTest {
    static Extensions extensions(PKCS10CertificationRequest csr) {
        return Extensions.getInstance(csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0]
                .getAttrValues().getObjectAt(0));
    }

    @Test
    void buildsWhatLacmeBuilds() throws Exception {
        KeyPair kp = TestCerts.key("ec");
        byte[] der = CsrBuilder.build(kp, "/C=SE/O=Example\\/Org/CN=www.example.test",
                "DNS:www.example.test, DNS:example.test, IP:192.0.2.1", "digitalSignature, keyEncipherment",
                "status_request", "sha384", w -> { });
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
        assertTrue(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(kp.getPublic())));
        assertEquals("C=SE,O=Example/Org,CN=www.example.test", csr.getSubject().toString());
        Extensions ext = extensions(csr);
        assertEquals(List.of("2.5.29.19", "2.5.29.14", "2.5.29.15", "2.5.29.17", "1.3.6.1.5.5.7.1.24"),
                List.of(ext.getExtensionOIDs()).stream().map(ASN1ObjectIdentifier::getId).toList(), "openssl's order");
        Extension bc = ext.getExtension(Extension.basicConstraints);
        assertTrue(bc.isCritical());
        assertFalse(BasicConstraints.getInstance(bc.getParsedValue()).isCA());
        assertNotNull(ext.getExtension(Extension.subjectKeyIdentifier));
        Extension ku = ext.getExtension(Extension.keyUsage);
        assertTrue(ku.isCritical());
        assertTrue(KeyUsage.getInstance(ku.getParsedValue()).hasUsages(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        GeneralName[] names = GeneralNames.getInstance(ext.getExtension(Extension.subjectAlternativeName)
                .getParsedValue()).getNames();
        assertEquals(3, names.length);
        assertEquals(GeneralName.iPAddress, names[2].getTagNo());
        ASN1Sequence tls = ASN1Sequence.getInstance(ext.getExtension(
                new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.24")).getParsedValue());
        assertEquals("5", tls.getObjectAt(0).toString());
        assertEquals("1.2.840.10045.4.3.3", csr.getSignatureAlgorithm().getAlgorithm().getId(), "ecdsa-with-SHA384");
    }

    @Test
    void defaultsAndRsa() throws Exception {
        KeyPair kp = TestCerts.key("rsa");
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(
                CsrBuilder.build(kp, "/CN=a.example", null, null, null, null, w -> { }));
        assertEquals("1.2.840.113549.1.1.11", csr.getSignatureAlgorithm().getAlgorithm().getId(), "sha256WithRSA");
        assertNull(extensions(csr).getExtension(Extension.keyUsage));
        assertNull(extensions(csr).getExtension(Extension.subjectAlternativeName));
        for (String h : CsrBuilder.HASHES) {
            assertNotNull(CsrBuilder.build(kp, "/CN=a.example", null, null, null, h, w -> { }), h);
        }
    }

    @Test
    void subjectFollowsOpensslSubj() throws Exception {
        KeyPair kp = TestCerts.key("ec");
        List<String> warnings = new ArrayList<>();
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(CsrBuilder.build(kp,
                "/cn=dropped/O=a+OU=b/CN=/CN=x\\+y.example", null, null, null, null, warnings::add));
        assertEquals("O=a+OU=b,CN=x\\+y.example", csr.getSubject().toString());
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("\"cn\""), warnings.toString());
        csr = new PKCS10CertificationRequest(CsrBuilder.build(kp, "/", null, null, null, null, w -> { }));
        assertEquals(0, csr.getSubject().getRDNs().length, "a lone / is the empty name");
    }

    @Test
    void badSettingsAreNamed() {
        KeyPair kp = TestCerts.key("ec");
        for (String[] c : List.of(
                new String[] {"CN=no-slash", null, null, null, null, "subject"},
                new String[] {"/CN", null, null, null, null, "subject: missing '='"},
                new String[] {"/CN=a\\", null, null, null, null, "subject: escape"},
                new String[] {"/C=USA", null, null, null, null, "subject: value of C is too long"},
                new String[] {"/emailAddress=\u00e4", null, null, null, null, "subject: illegal characters"},
                new String[] {"/CN=a", "dns:a.example", null, null, null, "subjectAltName: unsupported option 'dns'"},
                new String[] {"/CN=a", "DNS:a,", null, null, null, "subjectAltName: invalid empty name"},
                new String[] {"/CN=a", "DNS:", null, null, null, "subjectAltName: invalid null value"},
                new String[] {"/CN=a", "a.example", null, null, null, "subjectAltName: missing value"},
                new String[] {"/CN=a", "IP:256.1.1.1", null, null, null, "subjectAltName: bad IP address"},
                new String[] {"/CN=a", "DNS:$x", null, null, null, "subjectAltName: variable"},
                new String[] {"/CN=a", null, "digitalSignatur", null, null, "keyUsage: unknown"},
                new String[] {"/CN=a", null, "", null, null, "keyUsage: invalid empty name"},
                new String[] {"/CN=a", null, null, "must_staple", null, "tlsfeature: invalid syntax"},
                new String[] {"/CN=a", null, null, "65536", null, "tlsfeature: invalid syntax"},
                new String[] {"/CN=a", null, null, null, "md5", "hash: md5 cannot be used with an EC key"},
                new String[] {"/CN=a", null, null, null, "SHA256", "hash: 'SHA256' is not one of"})) {
            CsrException e = assertThrows(CsrException.class, () -> CsrBuilder.build(kp,
                    c[0], c[1], c[2], c[3], c[4], w -> { }), c[0] + " " + c[1]);
            assertTrue(e.getMessage().startsWith(c[5]), e.getMessage() + " / expected " + c[5]);
        }
    }

    @Test
    void opensslConfigSyntaxInExtensionValues() throws Exception {
        assertEquals("DNS:a", ConfValue.confString("k", "DNS:a # comment"));
        assertEquals("DNS:a#b", ConfValue.confString("k", "DNS:a\\#b"));
        assertEquals("DNS:a#b", ConfValue.confString("k", "'DNS:a#b'"));
        assertEquals("DNS:ab", ConfValue.confString("k", "DNS:a'b"));
        assertEquals("DNS:a,b", ConfValue.confString("k", "DNS:\"a,b\""));
        ConfValue v = ConfValue.parse("k", "critical, DNS.1 : a , IP:::1");
        assertTrue(v.critical);
        assertEquals(List.of(new ConfValue.Item("DNS.1", "a"), new ConfValue.Item("IP", "::1")), v.items);
        assertTrue(ConfValue.nameIs("DNS.1", "DNS"));
        assertFalse(ConfValue.nameIs("DNSx", "DNS"));
    }

    @Test
    void ipAddressesAsStrictAsOpenssl() {
        assertArrayEquals(new byte[] {1, 2, 3, 4}, SubjectAltNames.ipAddress("+1. 2.3.04"));
        assertNull(SubjectAltNames.ipAddress("1.2.3"));
        assertNull(SubjectAltNames.ipAddress("1.2.3.4.5"));
        assertNull(SubjectAltNames.ipAddress("1.2.3.4abc"));
        assertNull(SubjectAltNames.ipAddress("-1.2.3.4"));
        assertNull(SubjectAltNames.ipAddress("fe80::1%eth0"));
        assertNull(SubjectAltNames.ipAddress("1::2::3"));
        assertEquals(16, SubjectAltNames.ipAddress("::ffff:1.2.3.4").length, "v4-mapped stays 16 bytes");
        assertEquals(16, SubjectAltNames.ipAddress("2001:db8::1").length);
    }
}
