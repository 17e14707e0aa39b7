package lacme.master.csr;

import lacme.master.install.TestCerts;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our CSR against the one {@code openssl req} builds with exactly lacme 0.8.2's generated
 * configuration and arguments, for a table of settings and every key format: both fail, or both
 * succeed with the same subject (DER), the same extensions in the same order (criticality and
 * DER value, the subjectKeyIdentifier included), the same signature algorithm and public key,
 * and a valid signature. Skipped when openssl is not installed.
 */
class CsrOpensslParityTest {
    @TempDir
    Path dir;

    /** subject, subjectAltName, keyUsage, tlsfeature, hash (null: unset). */
    static final String[][] SETTINGS = {
        {"/CN=a.example", null, null, null, null},
        {"/CN=a.example", "DNS:a.example,DNS:www.a.example", null, null, null},
        {"/C=SE/ST=Sk\\/ne/L=Lund/O=Ex Org/OU=IT/CN=a.example/emailAddress=hostmaster@a.example", null, null, null, null},
        {"/DC=org/DC=example/UID=u1/serialNumber=42/title=t/GN=g/SN=s/street=x/postalCode=1/CN=a.example",
            null, null, null, null},
        {"/O=x+OU=y+CN=z/CN=a.example", null, null, null, null},
        {"/2.5.4.3=a.example", null, null, null, null},
        {"/", "critical,DNS:a.example", null, null, null},
        {"/cn=a/CN=a.example/", null, null, null, null},
        {"/CN=a.example", "DNS: a.example , IP:192.0.2.1,IP:2001:db8::1, IP:::ffff:10.0.0.1", null, null, null},
        {"/CN=a.example", "DNS.1:a.example,email:hostmaster@a.example,URI:https://a.example/,RID:1.2.3.4", null,
            null, null},
        {"/CN=a.example", "DNS:a.example # comment", null, null, null},
        {"/CN=a.example", "'DNS:a.example'", null, null, null},
        {"/CN=a.example", "DNS:a.example,email:copy", null, null, null},
        {"/CN=a.example", null, "digitalSignature", null, null},
        {"/CN=a.example", null, "digitalSignature, keyEncipherment, Key Agreement", null, null},
        {"/CN=a.example", null, "nonRepudiation,dataEncipherment,keyCertSign,cRLSign,encipherOnly,decipherOnly",
            null, null},
        {"/CN=a.example", null, "decipherOnly", null, null},
        {"/CN=a.example", null, null, "status_request", null},
        {"/CN=a.example", null, null, "STATUS_REQUEST, status_request_v2, 65535, +7", null},
        {"/CN=a.example", null, null, "critical,status_request", null},
        {"/CN=a.example", "DNS:a.example", "digitalSignature", "status_request", "sha384"},
        {"/CN=a.example", null, null, null, "sha1"},
        {"/CN=a.example", null, null, null, "sha224"},
        {"/CN=a.example", null, null, null, "sha512"},
        {"/CN=a.example", null, null, null, "md5"},
        {"/CN=a.example", null, null, null, "rmd160"},
        // failures
        {"CN=a.example", null, null, null, null},
        {"", null, null, null, null},
        {"/CN", null, null, null, null},
        {"/CN=a\\", null, null, null, null},
        {"/CN=a+b.example", null, null, null, null},
        {"/C=USA", null, null, null, null},
        {"/C=U$", null, null, null, null},
        {"/CN=" + "a".repeat(65), null, null, null, null},
        {"/serialNumber=a_b", null, null, null, null},
        {"/CN=a.example", "dns:a.example", null, null, null},
        {"/CN=a.example", "DNS:a.example,", null, null, null},
        {"/CN=a.example", "DNS:", null, null, null},
        {"/CN=a.example", "", null, null, null},
        {"/CN=a.example", "a.example", null, null, null},
        {"/CN=a.example", "IP:1.2.3", null, null, null},
        {"/CN=a.example", "IP:fe80::1%eth0", null, null, null},
        {"/CN=a.example", "DNS:\"a,b\"", null, null, null},
        {"/CN=a.example", "dirName:x", null, null, null},
        {"/CN=a.example", "DNS:$x", null, null, null},
        {"/CN=a.example", null, "digitalsignature", null, null},
        {"/CN=a.example", null, "", null, null},
        {"/CN=a.example", null, "critical,digitalSignature", null, null},
        {"/CN=a.example", null, null, "must_staple", null},
        {"/CN=a.example", null, null, "65536", null},
        {"/CN=a.example", null, null, "", null},
    };

    static final String[] KEYS = {"rsa-pkcs1", "rsa-pkcs8", "ec-sec1", "ec-pkcs8", "p384-sec1", "rsa-der"};

    private Path writeKey(String name) throws Exception {
        Path p = dir.resolve(name + ".key");
        if (!Files.exists(p)) {
            KeyPair kp = TestCerts.key(name.startsWith("rsa") ? "rsa" : name.startsWith("ec") ? "ec" : "p384");
            if (name.endsWith("der")) {
                Files.write(p, kp.getPrivate().getEncoded());
            } else {
                Files.writeString(p, name.endsWith("pkcs8") ? TestCerts.pkcs8Pem(kp) : TestCerts.traditionalPem(kp));
            }
        }
        return p;
    }

    /** lacme's gen_csr, verbatim in behaviour: the same config file, the same arguments. */
    private byte[] openssl(Path key, String[] s) throws Exception {
        StringBuilder conf = new StringBuilder("[ req ]\ndistinguished_name = req_distinguished_name\n"
                + "req_extensions     = v3_req\n[ req_distinguished_name ]\n[ v3_req ]\n"
                + "basicConstraints     = critical, CA:FALSE\nsubjectKeyIdentifier = hash\n");
        if (s[2] != null) {
            conf.append("keyUsage = critical, ").append(s[2]).append('\n');
        }
        if (s[1] != null) {
            conf.append("subjectAltName = ").append(s[1]).append('\n');
        }
        if (s[3] != null) {
            conf.append("tlsfeature = ").append(s[3]).append('\n');
        }
        Path cf = Files.createTempFile(dir, "req", ".conf");
        Files.writeString(cf, conf);
        List<String> argv = new ArrayList<>(List.of("openssl", "req", "-outform", "DER", "-new", "-batch", "-key",
                key.toString()));
        if (s[4] != null) {
            argv.add("-" + s[4]);
        }
        argv.addAll(List.of("-subj", s[0], "-config", cf.toString(), "-reqexts", "v3_req"));
        Process p = new ProcessBuilder(argv).redirectInput(new File("/dev/null"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() == 0 ? out : null;
    }

    @TestFactory
    Stream<DynamicTest> sameCsrAsOpensslReq() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        List<DynamicTest> tests = new ArrayList<>();
        for (String k : KEYS) {
            for (String[] s : SETTINGS) {
                if (!k.startsWith("rsa-pkcs1") && !k.startsWith("ec-sec1") && s[1] == null && s[2] == null
                        && s[3] == null && s[4] == null && !s[0].equals("/CN=a.example")) {
                    continue; // subject rows: two key types suffice
                }
                tests.add(DynamicTest.dynamicTest(k + " " + Arrays.toString(s), () -> compare(k, s)));
            }
        }
        return tests.stream();
    }

    private void compare(String keyName, String[] s) throws Exception {
        Path keyFile = writeKey(keyName);
        byte[] theirs = openssl(keyFile, s);
        byte[] ours;
        try {
            KeyPair kp = ServiceKey.read(keyFile);
            ours = CsrBuilder.build(kp, s[0], s[1], s[2], s[3], s[4], w -> { });
        } catch (CsrException | java.io.IOException e) {
            ours = null;
            assertEquals(null, theirs, "openssl accepts what we refuse: " + e.getMessage());
            return;
        }
        assertTrue(theirs != null, "openssl refuses what we accept");
        PKCS10CertificationRequest a = new PKCS10CertificationRequest(theirs);
        PKCS10CertificationRequest b = new PKCS10CertificationRequest(ours);
        assertArrayEquals(a.getSubject().getEncoded(), b.getSubject().getEncoded(),
                a.getSubject() + " vs " + b.getSubject());
        assertArrayEquals(a.getSubjectPublicKeyInfo().getEncoded(), b.getSubjectPublicKeyInfo().getEncoded());
        assertEquals(a.getSignatureAlgorithm().getAlgorithm(), b.getSignatureAlgorithm().getAlgorithm());
        assertTrue(b.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(new BouncyCastleProvider())
                .build(b.getSubjectPublicKeyInfo())));
        Extensions ea = CsrBuilderTest.extensions(a);
        Extensions eb = CsrBuilderTest.extensions(b);
        assertEquals(List.of(ea.getExtensionOIDs()), List.of(eb.getExtensionOIDs()));
        for (ASN1ObjectIdentifier oid : ea.getExtensionOIDs()) {
            Extension x = ea.getExtension(oid);
            Extension y = eb.getExtension(oid);
            assertEquals(x.isCritical(), y.isCritical(), oid + " criticality");
            assertArrayEquals(x.getExtnValue().getOctets(), y.getExtnValue().getOctets(), oid + " value");
        }
        assertEquals(a.getAttributes().length, b.getAttributes().length);
    }
}
