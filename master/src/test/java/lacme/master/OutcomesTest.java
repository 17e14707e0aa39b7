package lacme.master;

import lacme.master.config.RecordingReporter;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15: a signal during install reports every section's outcome, a normal end none. */
class OutcomesTest {
    private final RecordingReporter report = new RecordingReporter(false);

    private Outcomes outcomes(Cleanup cleanup) {
        Outcomes o = new Outcomes(List.of("a", "b", "c", "d"), cleanup, report);
        cleanup.add(o);
        o.installed("a");
        o.failed("b");
        o.installed("d");
        o.failed("d"); // its notify failed: the files are installed all the same
        return o;
    }

    @Test
    void aSignalReportsEverySection() {
        Cleanup cleanup = new Cleanup(LoggerFactory.getLogger("test"));
        outcomes(cleanup);
        cleanup.onSignal();
        assertEquals(List.of("[a] installed", "[b] failed (see above); the old files are kept",
                "[c] interrupted before its certificate was installed; the old files are kept", "[d] installed"),
                report.lines());
    }

    @Test
    void aNormalEndIsQuiet() {
        Cleanup cleanup = new Cleanup(LoggerFactory.getLogger("test"));
        outcomes(cleanup);
        cleanup.runAll();
        assertEquals(List.of(), report.lines());
    }

    /** A lost lacme-accountd: the first section's line is the run's; every outcome is told at the end. */
    @Test
    void aLostAccountdIsOneLineThenEveryOutcome() {
        Cleanup cleanup = new Cleanup(LoggerFactory.getLogger("test"));
        Outcomes o = new Outcomes(List.of("a", "b", "c"), cleanup, report);
        cleanup.add(o);
        o.installed("a");
        String lost = "lacme-accountd did not sign a POST-as-GET: lost connection with lacme-accountd (it refused to sign?)";
        assertTrue(Outcomes.accountdLost(lost));
        assertTrue(Outcomes.accountdLost("cannot sign the request to https://ca/x: lacme-accountd connection unusable: x"));
        assertFalse(Outcomes.accountdLost("urn:ietf:params:acme:error:rejectedIdentifier: no"));
        assertTrue(o.firstAccountdLoss("b"), "the first loss speaks for the run");
        o.failed("b");
        assertFalse(o.firstAccountdLoss("c"), "the next one is told in the report");
        o.failed("c");
        cleanup.runAll();
        assertEquals(List.of("[a] installed", "[b] failed (see above); the old files are kept",
                "[c] failed (see above); the old files are kept"), report.lines());
    }
}
