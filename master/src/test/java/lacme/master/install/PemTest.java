package lacme.master.install;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Certificate files as lacme's openssl calls read them. */
class PemTest {
    @TempDir
    Path dir;

    @Test
    void revokeReadsTheFirstPemCertificateOrDer() throws Exception {
        List<X509Certificate> chain = TestCerts.chain(TestCerts.key("ec"), "a.example");
        Path pem = Files.writeString(dir.resolve("chain.pem"), "text\n" + TestCerts.pem(chain));
        assertEquals(chain.get(0), Pem.readFirst(pem));
        Path der = Files.write(dir.resolve("leaf.der"), chain.get(0).getEncoded());
        assertEquals(chain.get(0), Pem.readFirst(der));
        Path junk = Files.writeString(dir.resolve("junk"), "hello\n");
        assertEquals("not a PEM or DER certificate", assertThrows(CertificateException.class,
                () -> Pem.readFirst(junk)).getMessage());
        assertThrows(java.io.IOException.class, () -> Pem.readFirst(dir.resolve("missing")));
    }

    @Test
    void encodeRoundTrips() throws Exception {
        X509Certificate c = TestCerts.spec().build();
        String pem = Pem.encode(c);
        assertEquals(true, pem.startsWith("-----BEGIN CERTIFICATE-----\n") && pem.endsWith("-----END CERTIFICATE-----\n"));
        assertEquals(true, pem.lines().allMatch(l -> l.length() <= 64));
        assertEquals(List.of(c), Pem.parse(pem + pem.replace("CERTIFICATE", "X509 CERTIFICATE")).subList(0, 1));
        assertEquals(2, Pem.parse(pem + pem.replace("CERTIFICATE", "X509 CERTIFICATE")).size());
    }
}
