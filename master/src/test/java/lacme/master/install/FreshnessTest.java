package lacme.master.install;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Finding 6 of issue 10: a replayed or older certificate is refused, a fresh one installed. */
class FreshnessTest {
    @TempDir
    Path dir;
    final Instant start = Instant.parse("2026-11-30T12:00:00Z");

    X509Certificate leaf(Instant notBefore) {
        return TestCerts.spec().validity(notBefore, notBefore.plus(Duration.ofDays(90))).build();
    }

    Map<String, String> installed(X509Certificate c) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Files.writeString(cert, TestCerts.pem(List.of(c)));
        return Map.of("certificate", cert.toString(), "certificate-chain", dir.resolve("missing.pem").toString());
    }

    @Test
    void freshWithinTheBackdatingAllowance() {
        assertDoesNotThrow(() -> Freshness.check(leaf(start.minus(Duration.ofMinutes(59))), Map.of(), start));
        assertDoesNotThrow(() -> Freshness.check(leaf(start.plusSeconds(5)), Map.of(), start));
    }

    @Test
    void notBeforeLongBeforeTheOrderIsStale() {
        CertificateException e = assertThrows(CertificateException.class,
                () -> Freshness.check(leaf(start.minus(Duration.ofHours(2))), Map.of(), start));
        assertEquals("stale certificate: notBefore 2026-11-30T10:00:00Z is more than 1 h before the order started"
                + " (2026-11-30T12:00:00Z)", e.getMessage());
    }

    @Test
    void theInstalledCertificateOrAnOlderOneIsRefused() throws Exception {
        X509Certificate now = leaf(start.minus(Duration.ofMinutes(10)));
        Map<String, String> conf = installed(now);
        assertEquals("stale certificate: it is the one installed in " + conf.get("certificate"),
                assertThrows(CertificateException.class, () -> Freshness.check(now, conf, start)).getMessage());
        X509Certificate older = leaf(start.minus(Duration.ofMinutes(30)));
        assertEquals(true, assertThrows(CertificateException.class, () -> Freshness.check(older, conf, start))
                .getMessage().contains("is earlier than that of the one installed in " + conf.get("certificate")));
        assertDoesNotThrow(() -> Freshness.check(leaf(start.minus(Duration.ofMinutes(10))), conf, start),
                "another certificate of the same second is a legitimate reissue");
        assertDoesNotThrow(() -> Freshness.check(leaf(start), conf, start));
    }

    @Test
    void aGarbageOrMissingInstalledFileIsNoReference() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
        X509Certificate fresh = leaf(start);
        assertDoesNotThrow(() -> Freshness.check(fresh, Map.of("certificate", garbage.toString(),
                "certificate-chain", dir.resolve("none").toString()), start));
    }
}
