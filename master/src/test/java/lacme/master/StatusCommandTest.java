package lacme.master;

import lacme.master.config.RecordingReporter;
import lacme.master.install.Pem;
import lacme.master.install.TestCerts;
import lacme.master.renew.RenewalState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** status' exit statuses (docs/exit-status.md) and its one line per section. */
class StatusCommandTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Map<String, Map<String, String>> sections() throws Exception {
        Path ok = dir.resolve("ok.crt");
        Files.writeString(ok, Pem.encode(TestCerts.spec().validity(now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(5))).build()));
        Map<String, Map<String, String>> all = new TreeMap<>();
        all.put("ok", Map.of("certificate", ok.toString(), "subject", "/CN=ok.example"));
        all.put("new", Map.of("certificate", dir.resolve("new.crt").toString(), "subject", "/CN=new.example"));
        return all;
    }

    private int run(List<String> selected, boolean json) throws Exception {
        out.reset();
        return StatusCommand.run(sections(), null, json, selected, RenewalState.inMemory(), new RecordingReporter(false),
                new PrintStream(out, true, StandardCharsets.UTF_8), now);
    }

    @Test
    void exitStatuses() throws Exception {
        assertEquals(0, run(List.of("ok"), false), "due for renewal, still valid: 0");
        assertEquals(1, out.toString(StandardCharsets.UTF_8).lines().count());
        assertEquals(2, run(List.of(), false), "a section without a certificate");
        assertEquals(2, out.toString(StandardCharsets.UTF_8).lines().count(), "one line per section");
        assertEquals(1, run(List.of("ok", "nosuch"), true), "unknown section");
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("{\"schema\":1,"), "the known ones are shown");
        assertEquals(1, run(List.of("nosuch", "new"), false), "1 wins over 2");
    }
}
