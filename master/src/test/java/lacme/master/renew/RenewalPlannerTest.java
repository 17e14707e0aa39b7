package lacme.master.renew;

import lacme.master.install.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RenewalPlannerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private final RenewalPlanner planner = new RenewalPlanner(new Random(7));
    private final List<String> warnings = new ArrayList<>();

    @TempDir
    Path dir;

    private static CurrentCert cert(Duration lifetime) {
        return new CurrentCert(T0, T0.plus(lifetime), "a2V5.AQ");
    }

    private Decision decide(Map<String, String> conf, CurrentCert c, Integer minDays, Window w,
                            RenewalState.Entry e, Instant now) {
        return planner.decide("s", conf, c, null, minDays, w, e, now, warnings::add).decision();
    }

    @Test
    void fallbackRenewsInTheLastThirdAndHalfUnderTenDays() {
        CurrentCert c90 = cert(Duration.ofDays(90));
        assertFalse(decide(Map.of(), c90, null, null, null, T0.plus(Duration.ofDays(59))).due());
        Decision d = decide(Map.of(), c90, null, null, null, T0.plus(Duration.ofDays(61)));
        assertTrue(d.due());
        assertEquals("less than a third of its lifetime left", d.reason());
        CurrentCert c6 = cert(Duration.ofDays(6));
        // lacme's fixed 21 days would renew a 6-day certificate on every run
        assertFalse(decide(Map.of(), c6, null, null, null, T0.plus(Duration.ofDays(2))).due());
        assertTrue(decide(Map.of(), c6, null, null, null, T0.plus(Duration.ofDays(3))).due());
    }

    @Test
    void explicitMinDaysAndOptionsOverrideTheFallback() {
        CurrentCert c90 = cert(Duration.ofDays(90));
        Instant now = T0.plus(Duration.ofDays(50)); // 40 days left: the fallback would not renew
        assertTrue(decide(Map.of("min-days", "45"), c90, null, null, null, now).due());
        assertFalse(decide(Map.of("min-days", "30"), c90, null, null, null, now).due());
        assertTrue(decide(Map.of(), c90, 41, null, null, now).due());
        assertFalse(decide(Map.of("min-days", "45"), c90, 39, null, null, now).due(), "--min-days wins");
        assertTrue(decide(Map.of(), c90, -1, null, null, T0).due(), "--force");
        assertTrue(decide(Map.of("min-days", "7days"), c90, null, null, null, T0.plus(Duration.ofDays(84))).due());
        assertEquals(List.of("[s] Warning: min-days: \"7days\" isn't numeric, read as 7"), warnings);
        assertTrue(decide(Map.of(), null, null, null, null, T0).due(), "no certificate");
    }

    /**
     * min-days read as lacme (Perl) reads it: 10 days left, so whatever reads as 10 or more
     * renews; a non-number reads as 0 (keep until expiry) with lacme's warning; a negative or
     * infinite value always renews (lacme 0.8.2's parity cases, moved here with the decision).
     */
    @Test
    void minDaysIsReadAsPerlReadsNumbers() {
        CurrentCert c = cert(Duration.ofDays(90));
        Instant now = T0.plus(Duration.ofDays(80));
        // exactly min-days left renews: lacme keeps a certificate only while more are left
        for (String renews : List.of("30days", " 1e2", "10.5", "-1", "-inf", "inf", "11", "10")) {
            assertTrue(decide(Map.of("min-days", renews), c, null, null, null, now).due(), renews);
        }
        for (String keeps : List.of("9.5", "0", "soon", "", "0x20", "9")) {
            assertFalse(decide(Map.of("min-days", keeps), c, null, null, null, now).due(), keeps);
        }
        assertTrue(decide(Map.of("min-days", "0"), c, null, null, null, T0.plus(Duration.ofDays(90))).due(),
                "0: renewed once expired");
        assertEquals(List.of("[s] Warning: min-days: \"30days\" isn't numeric, read as 30",
                "[s] Warning: min-days: \"soon\" isn't numeric, read as 0",
                "[s] Warning: min-days: \"\" isn't numeric, read as 0",
                "[s] Warning: min-days: \"0x20\" isn't numeric, read as 0"), warnings);
    }

    @Test
    void ariRenewsPastARandomPointChosenOnceAndRemembered() {
        CurrentCert c = cert(Duration.ofDays(90));
        Window w = new Window(T0.plus(Duration.ofDays(59)), T0.plus(Duration.ofDays(61)), "https://ca/why",
                T0.plus(Duration.ofHours(6)));
        RenewalPlanner.Outcome o = planner.decide("s", Map.of(), c, null, null, w, null, T0, warnings::add);
        Instant chosen = o.decision().chosen();
        assertFalse(o.decision().due());
        assertTrue(!chosen.isBefore(w.start()) && chosen.isBefore(w.end()), chosen.toString());
        assertEquals("https://ca/why", o.decision().explanationUrl());
        // another run, another random source: the remembered point stands
        RenewalPlanner other = new RenewalPlanner(new Random(99));
        RenewalPlanner.Outcome again = other.decide("s", Map.of(), c, null, null, w, o.entry(), chosen.minusSeconds(1),
                warnings::add);
        assertEquals(chosen, again.decision().chosen());
        assertFalse(again.decision().due());
        assertTrue(other.decide("s", Map.of(), c, null, null, w, o.entry(), chosen, warnings::add).decision().due());
        // a window the CA moved (e.g. a mass revocation) is a new choice
        Window past = new Window(T0.minusSeconds(3600), T0.minusSeconds(3599), null, T0.plusSeconds(60));
        assertTrue(other.decide("s", Map.of(), c, null, null, past, o.entry(), T0, warnings::add).decision().due());
        // before its Retry-After the remembered window is reused without asking the CA
        assertEquals(w, RenewalPlanner.cachedWindow(o.entry(), c, T0.plus(Duration.ofHours(5))));
        assertEquals(null, RenewalPlanner.cachedWindow(o.entry(), c, T0.plus(Duration.ofHours(6))));
    }

    @Test
    void aChangedProfileRenews() {
        CurrentCert c = cert(Duration.ofDays(90));
        RenewalState.Entry last = RenewalPlanner.issued("classic");
        Decision d = decide(Map.of("profile", "shortlived"), c, null, null, last, T0);
        assertTrue(d.due());
        assertEquals("profile changed from 'classic' to 'shortlived'", d.reason());
        assertFalse(decide(Map.of("profile", "classic"), c, null, null, last, T0).due());
        assertFalse(decide(Map.of("profile", "classic"), c, null, null, null, T0).due(), "nothing remembered yet");
    }

    @Test
    void ariIdIsAkiDotSerial() {
        X509Certificate x = TestCerts.spec().serial(new BigInteger("87654321", 16)).build();
        String id = CurrentCert.ariId(x);
        assertNotNull(id);
        String[] parts = id.split("\\.");
        assertEquals("AIdlQyE", parts[1]); // RFC 9773 §4.1's example: DER keeps the leading 0x00
        assertEquals(20, Base64.getUrlDecoder().decode(parts[0]).length);
        assertEquals(null, CurrentCert.ariId(TestCerts.spec().noAki().build()));
    }

    @Test
    void stateIsRootOnlyAndRoundTrips() throws IOException {
        Path state = dir.resolve("state");
        RenewalState s = RenewalState.load(state);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        s.put("a", new RenewalState.Entry("x.y", T0, T0.plusSeconds(10), T0.plusSeconds(5), "https://e", T0, "p"));
        s.save();
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve(RenewalState.FILE))));
        assertEquals(s.get("a"), RenewalState.load(state).get("a"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> RenewalState.load(state));
        assertTrue(e.getMessage().startsWith("state-directory " + state + " must be a directory of"), e.getMessage());
        Path link = dir.resolve("link");
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(link, state);
        assertThrows(IOException.class, () -> RenewalState.load(link));
    }
}
