package lacme.master.install;

import lacme.master.csr.Identifiers;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Verification before install, on BouncyCastle-made chains, hostile ones included. */
class ChainVerifierTest {
    private final KeyPair leafKey = TestCerts.key("ec");
    private final KeyPair rootKey = TestCerts.key("rsa2");
    private final KeyPair interKey = TestCerts.key("p384");
    private final X509Certificate root = TestCerts.spec().subject("CN=Root").key(rootKey).ca().build();
    private final X509Certificate inter = TestCerts.spec().subject("CN=Inter").key(interKey).ca()
            .issuer(root, rootKey).build();
    private final List<Identifiers.Name> names = List.of(new Identifiers.Name("dns", "www.example"),
            new Identifiers.Name("dns", "EXAMPLE"));

    private TestCerts.Spec leaf() {
        return TestCerts.spec().subject("CN=www.example").key(leafKey).dns("www.example", "example")
                .issuer(inter, interKey);
    }

    private void ok(List<X509Certificate> chain, List<X509Certificate> caFile) {
        assertDoesNotThrow(() -> ChainVerifier.verify(chain, leafKey.getPublic(), caFile, names, Instant.now()));
    }

    private String fails(List<X509Certificate> chain, List<X509Certificate> caFile) {
        return assertThrows(GeneralSecurityException.class,
                () -> ChainVerifier.verify(chain, leafKey.getPublic(), caFile, names, Instant.now())).getMessage();
    }

    @Test
    void aGoodChainVerifies() {
        X509Certificate l = leaf().build();
        ok(List.of(l, inter), List.of(root));
        ok(List.of(l, inter, root), List.of(root));
        ok(List.of(l), List.of(root, inter)); // CAfile's intermediates may complete the path
        ok(List.of(l, TestCerts.spec().subject("CN=unrelated").ca().build(), inter), List.of(root));
        ok(List.of(TestCerts.spec().subject("CN=www.example").key(leafKey).dns("www.example", "example")
                .eku().issuer(inter, interKey).build(), inter), List.of(root)); // no extendedKeyUsage at all
    }

    @Test
    void emptyCaFileSkipsThePathButNotKeyAndNames() {
        X509Certificate selfSigned = TestCerts.spec().subject("CN=www.example").key(leafKey)
                .dns("www.example", "example").build();
        ok(List.of(selfSigned), null);
        assertTrue(fails(List.of(leaf().dns("www.example").build()), null).contains("does not name EXAMPLE"));
        assertTrue(fails(List.of(TestCerts.spec().key(TestCerts.key("rsa")).dns("www.example", "example").build()),
                null).contains("public key"));
    }

    @Test
    void wrongKeyMissingNameEmptyChain() {
        assertTrue(fails(List.of(leaf().key(TestCerts.key("rsa")).build(), inter), List.of(root)).contains("public key"));
        assertTrue(fails(List.of(leaf().dns("www.example").build(), inter), List.of(root)).contains("EXAMPLE"));
        assertEquals("no certificate in the chain", fails(List.of(), List.of(root)));
    }

    @Test
    void ipIdentifiersAreCoveredByIpAddresses() {
        X509Certificate l = leaf().dns("www.example").ip("2001:db8::1").build();
        assertDoesNotThrow(() -> ChainVerifier.verify(List.of(l, inter), leafKey.getPublic(), List.of(root),
                List.of(new Identifiers.Name("ip", "2001:db8:0::1")), Instant.now()));
        assertThrows(GeneralSecurityException.class, () -> ChainVerifier.verify(List.of(l, inter),
                leafKey.getPublic(), List.of(root), List.of(new Identifiers.Name("ip", "192.0.2.1")), Instant.now()));
    }

    @Test
    void untrustedOrForgedPaths() {
        X509Certificate otherRoot = TestCerts.spec().subject("CN=Root").key(TestCerts.key("rsa")).ca().build();
        assertTrue(fails(List.of(leaf().build(), inter), List.of(otherRoot)).contains("does not verify"));
        assertTrue(fails(List.of(leaf().build(), inter), List.of(inter)).contains("no self-signed"),
                "an intermediate in CAfile is no trust anchor (openssl -trusted without -partial_chain)");
        X509Certificate forged = leaf().issuer(inter, TestCerts.key("ec2")).build();
        assertTrue(fails(List.of(forged, inter), List.of(root)).contains("does not verify"));
        X509Certificate expired = leaf().validity(Instant.now().minus(Duration.ofDays(9)),
                Instant.now().minus(Duration.ofDays(1))).build();
        assertTrue(fails(List.of(expired, inter), List.of(root)).contains("does not verify"));
        X509Certificate notCa = TestCerts.spec().subject("CN=Inter").key(interKey).issuer(root, rootKey)
                .dns("inter.example").build();
        assertTrue(fails(List.of(leaf().issuer(notCa, interKey).build(), notCa), List.of(root))
                .contains("does not verify"));
    }

    @Test
    void sslServerPurpose() {
        assertTrue(fails(List.of(leaf().eku(KeyPurposeId.id_kp_clientAuth).build(), inter), List.of(root))
                .contains("TLS server"));
        assertTrue(fails(List.of(leaf().eku(KeyPurposeId.anyExtendedKeyUsage).build(), inter), List.of(root))
                .contains("TLS server"), "openssl's sslserver purpose does not accept anyExtendedKeyUsage");
        assertTrue(fails(List.of(leaf().keyUsage(KeyUsage.nonRepudiation).build(), inter), List.of(root))
                .contains("keyUsage"));
        X509Certificate clientCa = TestCerts.spec().subject("CN=Inter").key(interKey).ca()
                .eku(KeyPurposeId.id_kp_clientAuth).issuer(root, rootKey).build();
        assertTrue(fails(List.of(leaf().issuer(clientCa, interKey).build(), clientCa), List.of(root))
                .contains("intermediate"));
    }

    @Test
    void x509Strict() {
        X509Certificate softBc = TestCerts.spec().subject("CN=Inter").key(interKey).ca().bcCritical(false)
                .issuer(root, rootKey).build();
        assertTrue(fails(List.of(leaf().issuer(softBc, interKey).build(), softBc), List.of(root))
                .contains("basicConstraints of a CA not marked critical"));
        X509Certificate noSki = TestCerts.spec().subject("CN=Inter").key(interKey).ca().noSki()
                .issuer(root, rootKey).build();
        assertTrue(fails(List.of(leaf().issuer(noSki, interKey).noAki().build(), noSki), List.of(root))
                .contains("x509_strict"));
        assertTrue(fails(List.of(leaf().noAki().build(), inter), List.of(root))
                .contains("missing authorityKeyIdentifier"));
        X509Certificate noKu = TestCerts.spec().subject("CN=Inter").key(interKey).ca().keyUsage(null)
                .issuer(root, rootKey).build();
        assertTrue(fails(List.of(leaf().issuer(noKu, interKey).build(), noKu), List.of(root))
                .contains("CA certificate without keyUsage"));
    }

    @Test
    void garbagePem() {
        assertThrows(CertificateException.class,
                () -> Pem.parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
        assertThrows(CertificateException.class,
                () -> Pem.parse("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"));
        assertDoesNotThrow(() -> assertEquals(List.of(), Pem.parse("hello")));
        X509Certificate l = leaf().build();
        assertDoesNotThrow(() -> assertEquals(List.of(l, inter),
                Pem.parse("junk\n" + Pem.encode(l) + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
                        + Pem.encode(inter))));
    }
}
