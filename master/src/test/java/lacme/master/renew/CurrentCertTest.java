package lacme.master.renew;

import lacme.master.install.Pem;
import lacme.master.install.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Which installed certificate a section's decision looks at, as lacme does: the first of
 * {@code certificate-chain}, {@code certificate} that is set, if it is a regular file; its first
 * PEM certificate, junk before it allowed; an unusable file means renewing, with a warning
 * naming it (issue 15), an absent one means a first issuance, without.
 */
class CurrentCertTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private final List<String> warnings = new ArrayList<>();

    private Path cert(String name, long daysLeft) throws Exception {
        Instant notAfter = now.plus(Duration.ofDays(daysLeft)).truncatedTo(ChronoUnit.SECONDS);
        return Files.writeString(dir.resolve(name), "junk before\n" + Pem.encode(TestCerts.spec()
                .validity(now.minus(Duration.ofDays(10)), notAfter).build()));
    }

    private CurrentCert of(Map<String, String> c) {
        return CurrentCert.ofSection("s", c, warnings::add);
    }

    @Test
    void theChainIsLookedAtFirstThenTheCertificate() throws Exception {
        Map<String, String> c = new HashMap<>();
        c.put("certificate", cert("leaf.crt", 100).toString());
        assertEquals(now.plus(Duration.ofDays(100)), of(c).notAfter());
        c.put("certificate-chain", dir.resolve("missing.crt").toString());
        assertNull(of(c), "certificate-chain is the one looked at: absent, a first issuance");
        c.put("certificate-chain", "");
        assertNotNull(of(c), "an empty certificate-chain falls back to certificate");
        c.put("certificate-chain", cert("chain.crt", 50).toString());
        assertEquals(now.plus(Duration.ofDays(50)), of(c).notAfter());
        c.put("certificate-chain", dir.toString());
        assertNull(of(c), "a directory: renew");
        assertEquals(List.of(), warnings);
    }

    @Test
    void anUnusableCertificateIsRenewedWithAWarningNamingIt() throws Exception {
        Map<String, String> c = new HashMap<>();
        Path bad = dir.resolve("bad.crt");
        Files.writeString(bad, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        c.put("certificate", bad.toString());
        assertNull(of(c));
        assertEquals(List.of("[s] Warning: " + bad + ": the certificate cannot be parsed, renewing"), warnings);
        warnings.clear();
        Files.writeString(bad, "garbage\n");
        assertNull(of(c));
        assertEquals(List.of("[s] Warning: " + bad + ": no PEM certificate in the file, renewing"), warnings);
        warnings.clear();
        c.put("certificate", dir.resolve("absent.crt").toString());
        assertNull(of(c));
        assertEquals(List.of(), warnings, "no certificate yet: a first issuance, nothing to warn about");
    }
}
