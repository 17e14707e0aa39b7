package lacme.master;

import lacme.master.config.RecordingReporter;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
