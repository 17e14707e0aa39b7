package lacme.master.status;

import lacme.master.install.Pem;
import lacme.master.install.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The textfile: exposition format, label escaping, history kept across runs, atomic 0644 write. */
class MetricsFileTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void escapingRoundTrips() {
        String hostile = "a\"b\\c\nd} 1\nlacme_x 2";
        String e = MetricsFile.escape(hostile);
        assertFalse(e.contains("\n"), "one sample per line whatever the section's name");
        assertEquals("a\\\"b\\\\c\\nd} 1\\nlacme_x 2", e);
        assertEquals(hostile, MetricsFile.unescape(e));
        Map<String, MetricsFile.History> h = Map.of(hostile, new MetricsFile.History(5L, 7L));
        SectionStatus s = new SectionStatus(hostile, SectionStatus.State.MISSING, "/x", List.of(), null, null, null,
                null, null, null, true, "no certificate yet", now);
        String text = MetricsFile.render(List.of(s), h, now);
        assertEquals(h, MetricsFile.parse(text));
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("# HELP lacme_") || line.startsWith("# TYPE lacme_")
                    || line.matches("lacme_[a-z_]+(\\{section=\"([^\"\\\\]|\\\\.)*\"\\})? [0-9]+"), line);
        }
    }

    @Test
    void renderLayout() {
        SectionStatus s = new SectionStatus("www", SectionStatus.State.VALID, "/x", List.of("a"), "EC-P256", "CA",
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), "ff", null, false, "r",
                now.plus(Duration.ofDays(9)));
        String text = MetricsFile.render(List.of(s), Map.of("www", new MetricsFile.History(100L, null)), now);
        assertTrue(text.contains("# TYPE lacme_certificate_expiry_timestamp_seconds gauge\n"
                + "lacme_certificate_expiry_timestamp_seconds{section=\"www\"} " + (now.getEpochSecond() + 30 * 86400)
                + "\n"), text);
        assertTrue(text.contains("lacme_certificate_last_success_timestamp_seconds{section=\"www\"} 100\n"));
        assertFalse(text.contains("lacme_certificate_last_failure_timestamp_seconds{"), "never failed: no sample");
        assertTrue(text.contains("lacme_certificate_next_renewal_timestamp_seconds{section=\"www\"} "
                + (now.getEpochSecond() + 9 * 86400) + "\n"));
        assertTrue(text.contains("lacme_certificate_valid{section=\"www\"} 1\n"));
        assertTrue(text.endsWith("lacme_last_run_timestamp_seconds " + now.getEpochSecond() + "\n"));
    }

    @Test
    void writeIsAtomic0644AndReplacesALink() throws Exception {
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "keep");
        Path file = dir.resolve("lacme.prom");
        Files.createSymbolicLink(file, victim);
        assertEquals(Map.of(), MetricsFile.previous(file), "a link is not read");
        MetricsFile.write(file, "lacme_last_run_timestamp_seconds 1\n");
        assertEquals("keep", Files.readString(victim), "the link was replaced, not followed");
        assertFalse(Files.isSymbolicLink(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var ls = Files.list(dir)) {
            assertEquals(2, ls.count(), "no temporary file left beside it");
        }
    }

    @Test
    void previousFifoDoesNotBlock() throws Exception {
        Path fifo = dir.resolve("fifo.prom");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        long t = System.nanoTime();
        assertEquals(Map.of(), MetricsFile.previous(fifo));
        assertTrue(System.nanoTime() - t < 3_000_000_000L);
    }

    @Test
    void historyAcrossRuns() throws Exception {
        Path crt = dir.resolve("www.crt");
        Map<String, Map<String, String>> all = new TreeMap<>();
        Map<String, String> www = new HashMap<>(Map.of("certificate", crt.toString(), "subject", "/CN=www.example"));
        all.put("www", www);
        all.put("idle", new HashMap<>(Map.of("certificate", dir.resolve("idle.crt").toString(),
                "subject", "/CN=idle.example")));
        Path prom = dir.resolve("m.prom");

        // run 1: www due (missing), nothing installed: a failure, for both sections (idle is missing too)
        MetricsRun r1 = new MetricsRun(prom, all, List.of("www"), null, now);
        assertNull(r1.finish(now));
        Map<String, MetricsFile.History> h = MetricsFile.parse(Files.readString(prom));
        assertEquals(new MetricsFile.History(null, now.getEpochSecond()), h.get("www"));
        assertNull(h.get("idle"), "not selected: not counted");

        // run 2: a certificate appears for www: a success, the failure is kept
        Instant t2 = now.plusSeconds(60);
        MetricsRun r2 = new MetricsRun(prom, all, List.of(), null, t2);
        Files.writeString(crt, Pem.encode(TestCerts.spec().validity(t2.minusSeconds(5), t2.plus(Duration.ofDays(90)))
                .build()));
        assertNull(r2.finish(t2));
        h = MetricsFile.parse(Files.readString(prom));
        assertEquals(new MetricsFile.History(t2.getEpochSecond(), now.getEpochSecond()), h.get("www"));
        assertEquals(new MetricsFile.History(null, t2.getEpochSecond()), h.get("idle"));

        // run 3: nothing due for www, nothing changes: its history is kept as it was
        Instant t3 = t2.plusSeconds(60);
        assertNull(new MetricsRun(prom, all, List.of("www"), null, t3).finish(t3));
        assertEquals(new MetricsFile.History(t2.getEpochSecond(), now.getEpochSecond()),
                MetricsFile.parse(Files.readString(prom)).get("www"));
    }

    @Test
    void unwritableDirectoryIsOneLine() {
        MetricsRun r = new MetricsRun(dir.resolve("no/such/dir/m.prom"), Map.of(), List.of(), null, now);
        String p = r.finish(now);
        assertTrue(p != null && p.startsWith("metrics-file ") && p.contains("no/such/dir") && !p.contains("\n"), p);
    }
}
