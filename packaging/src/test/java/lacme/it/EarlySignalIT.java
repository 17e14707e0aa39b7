package lacme.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SIGTERM or SIGINT in the first instants of a run (issue 15, failure 4): the launcher's
 * shell now traps it and the master installs its hook as its first statement, so both answer
 * 1, lacme's status. Not closed: the JVM's own boot, from its first Java code (where it takes
 * over SIGTERM/SIGINT) to the master's first statement, during which a signal still ends it
 * with 143/130; on the build machine that is about 20 to 100 ms after start when idle, and
 * more than 150 ms under load, so no delay can be asserted without making a flaky test. What
 * is asserted: whatever the instant, the master ends promptly, with 1 or the signal's status,
 * never another status, and without a stack trace; the distribution is printed (see the
 * report of the fail-safe branch for the figures).
 */
class EarlySignalIT {
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        conf = Tree.writeWithoutCa(tmp);
    }

    /** Signals a fresh master {@code delayMs} after start; its exit status, or -1 when it had already exited. */
    private static int signalAfter(String sig, int delayMs) throws Exception {
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            Thread.sleep(delayMs);
            if (!m.alive()) {
                return -1;
            }
            m.signal(sig);
            Dist.Run r = m.finish(60);
            assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r);
            return r.exit();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalSoonAfterStartEndsTheRunPromptly(String sig) throws Exception {
        int killed = sig.equals("TERM") ? 143 : 130;
        List<String> measured = new ArrayList<>();
        int ones = 0;
        for (int delayMs : new int[] {0, 5, 20, 50, 80, 120, 150, 200, 300, 500}) {
            int rc = signalAfter(sig, delayMs);
            measured.add(delayMs + " ms: " + rc);
            assertTrue(rc == 1 || rc == killed || rc == -1, "SIG" + sig + " " + delayMs + " ms after start: " + rc);
            ones += rc == 1 ? 1 : 0;
        }
        System.err.println("SIG" + sig + " soon after start (delay: exit status): " + measured);
        assertTrue(ones > 0, "no instant answered 1: " + measured);
    }
}
