package lacme.master.config;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** min-days semantics: default 21, negative forces, 0 only expired, Perl numbers; the message. */
class RenewalTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private final List<String> warnings = new ArrayList<>();

    private Map<String, String> section(long daysLeft, String minDays) throws Exception {
        Instant notAfter = now.plus(Duration.ofDays(daysLeft)).truncatedTo(ChronoUnit.SECONDS);
        Path p = dir.resolve("c" + daysLeft + ".crt");
        Files.writeString(p, "junk before\n" + Pem.encode(TestCerts.spec()
                .validity(now.minus(Duration.ofDays(10)), notAfter).build()));
        Map<String, String> c = new HashMap<>();
        c.put("certificate", p.toString());
        if (minDays != null) {
            c.put("min-days", minDays);
        }
        return c;
    }

    private String skip(long daysLeft, String minDays, Integer option) throws Exception {
        return Renewal.skip("www", section(daysLeft, minDays), option, now, warnings::add);
    }

    @Test
    void defaultIs21Days() throws Exception {
        assertEquals("[www] Valid until 2030-01-23 00:00:00 UTC, skipping", skip(22, null, null));
        assertNull(skip(21, null, null), "exactly 21 days left: renew (lacme compares with >)");
        assertNull(skip(5, null, null));
    }

    @Test
    void negativeForcesZeroOnlyExpired() throws Exception {
        assertNull(skip(300, "-1", null));
        assertNull(skip(300, null, -1), "--force");
        assertTrue(skip(1, "0", null) != null, "0: keep until expiry");
        assertNull(skip(-1, "0", null), "expired");
        assertTrue(skip(10, "30", 5) != null, "--min-days beats the section");
    }

    @Test
    void minDaysReadAsPerlReadsNumbers() throws Exception {
        assertTrue(skip(10, "soon", null) != null, "not a number is 0");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("[www] Warning: min-days: \"soon\" isn't numeric"), warnings.get(0));
        assertTrue(skip(10, "", null) != null, "empty is 0");
        assertNull(skip(10, "30days", null), "leading number");
        assertNull(skip(10, " 1e2", null), "exponent");
        assertTrue(skip(10, "9.5", null) != null);
        assertNull(skip(10, "10.5", null), "fractions count");
        assertTrue(skip(10, "0x20", null) != null, "no hex: 0");
        assertNull(skip(10, "-inf", null));
        assertTrue(skip(3000, "inf", null) == null, "infinity: always renew");
        assertEquals(0, Renewal.numify("abc"));
        assertEquals(-0.5, Renewal.numify("-.5x"));
        assertTrue(Double.isNaN(Renewal.numify("NaN")));
        assertTrue(Renewal.isNumeric(" 12 "));
        assertFalse(Renewal.isNumeric("12a"));
    }

    @Test
    void chainPathFirstAndUnreadableRenews() throws Exception {
        Map<String, String> c = section(100, null);
        c.put("certificate-chain", dir.resolve("missing.crt").toString());
        assertNull(Renewal.skip("s", c, null, now, warnings::add), "certificate-chain is the one looked at");
        c.put("certificate-chain", "");
        assertTrue(Renewal.skip("s", c, null, now, warnings::add) != null, "an empty chain falls back");
        Files.writeString(dir.resolve("bad.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        c.put("certificate", dir.resolve("bad.crt").toString());
        assertNull(Renewal.skip("s", c, null, now, warnings::add), "unparsable: renew");
        c.put("certificate", dir.toString());
        assertNull(Renewal.skip("s", c, null, now, warnings::add), "a directory: renew");
    }

    /** Issue 15: a garbage existing certificate is renewed, but with a warning naming the file. */
    @Test
    void aGarbageCertificateIsRenewedWithAWarning() throws Exception {
        Map<String, String> c = section(100, null);
        Path bad = dir.resolve("bad.crt");
        Files.writeString(bad, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        c.put("certificate", bad.toString());
        assertNull(Renewal.skip("s", c, null, now, warnings::add));
        assertEquals(List.of("[s] Warning: " + bad + ": the certificate cannot be parsed, renewing"), warnings);
        warnings.clear();
        Files.writeString(bad, "garbage\n");
        assertNull(Renewal.skip("s", c, null, now, warnings::add));
        assertEquals(List.of("[s] Warning: " + bad + ": no PEM certificate in the file, renewing"), warnings);
        warnings.clear();
        c.put("certificate", dir.resolve("absent.crt").toString());
        assertNull(Renewal.skip("s", c, null, now, warnings::add));
        assertEquals(List.of(), warnings, "no certificate yet: a first issuance, nothing to warn about");
    }
}
