package lacme.master.install;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our summary against {@code openssl x509 -noout -fingerprint -sha256 -text -certopt ...} (lacme's). */
class CertSummaryTest {
    private static String openssl(X509Certificate c, String certopt) throws Exception {
        Process p = new ProcessBuilder("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-text",
                "-certopt", certopt).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().write(Pem.encode(c).getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0);
        return out;
    }

    static List<X509Certificate> samples() {
        return List.of(
                TestCerts.spec().subject("C=US,O=Let's Encrypt,CN=R3").build(),
                TestCerts.spec().subject("CN=a.example").key(TestCerts.key("rsa")).dns("a.example", "b.example")
                        .ip("192.0.2.1").build(),
                TestCerts.spec().subject("O=Acme\\, Inc.,OU=x+CN=multi.example").build(),
                TestCerts.chain(TestCerts.key("ec"), "c.example").get(1),
                TestCerts.spec().serial(new java.math.BigInteger("0392a1b2c3d4e5f60718293a4b5c6d7e8f90", 16)).build(),
                TestCerts.spec().serial(java.math.BigInteger.valueOf(Long.MAX_VALUE)).build(),
                TestCerts.spec().serial(new java.math.BigInteger("8000000000000000", 16)).build());
    }

    @Test
    void revokeSummaryIsOpensslsWithoutExtensions() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "no openssl");
        for (X509Certificate c : samples()) {
            assertEquals(openssl(c, "no_header,no_version,no_pubkey,no_sigdump,no_extensions"), CertSummary.of(c, false));
        }
    }

    @Test
    void installSummaryStartsAsOpensslsAndShowsTheNames() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "no openssl");
        for (X509Certificate c : samples()) {
            List<String> theirs = openssl(c, "no_header,no_version,no_pubkey,no_sigdump").lines().toList();
            List<String> ours = CertSummary.of(c).lines().toList();
            int header = theirs.indexOf("        X509v3 extensions:") + 1;
            assertEquals(theirs.subList(0, header), ours.subList(0, header));
            for (String title : List.of("X509v3 Subject Alternative Name", "X509v3 Basic Constraints",
                    "X509v3 Key Usage", "X509v3 Extended Key Usage", "X509v3 Subject Key Identifier")) {
                int i = theirs.indexOf(theirs.stream().filter(l -> l.contains(title)).findFirst().orElse("-"));
                if (i >= 0) {
                    int j = ours.indexOf(theirs.get(i));
                    assertTrue(j >= 0, title + " line missing: " + ours);
                    assertEquals(theirs.get(i + 1), ours.get(j + 1), title);
                }
            }
        }
    }

    /** Fuzzing finding: a CA-chosen name printed ESC and C1 CSI raw on root's terminal. */
    @Test
    void controlCharactersInNamesAreEscapedAsOpensslDoes() throws Exception {
        X509Certificate c = TestCerts.spec().subject("CN=a\u001b[31mb\u009bc").dns("x\u001by.example").build();
        String ours = CertSummary.of(c);
        assertTrue(ours.contains("        Subject: CN = a\\1B[31mb\\C2\\9Bc\n"), ours);
        assertTrue(ours.contains("DNS:x\\1By.example"), ours);
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "no openssl");
        assertEquals(openssl(c, "no_header,no_version,no_pubkey,no_sigdump,no_extensions"), CertSummary.of(c, false));
    }

    /**
     * Fuzzing finding: a certificate the JDK parses but BouncyCastle refuses ("unknown tag 25")
     * made the summary throw IllegalStateException after the certificate was installed.
     */
    @Test
    void certificateBouncyCastleRefusesIsStillSummarised() throws Exception {
        byte[] input;
        try (var in = getClass().getResourceAsStream("CertChainFuzzTestInputs/parse/crash-bc-refuses-what-jdk-accepts")) {
            input = in.readAllBytes();
        }
        X509Certificate c = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(input, 1, input.length - 1));
        String summary = CertSummary.of(c);
        assertTrue(summary.startsWith("sha256 Fingerprint="), summary);
        assertTrue(summary.contains("        Subject: "), summary);
    }
}
