package lacme.common.os;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One way to stop a process: SIGTERM, a bounded grace period, SIGKILL. */
class ProcessesTest {
    @Test
    void sigtermIsEnoughForACooperativeProcess() throws Exception {
        Process p = new ProcessBuilder("/bin/sleep", "60").start();
        assertFalse(Processes.stop(p.toHandle(), Duration.ofSeconds(5)));
        assertFalse(p.isAlive());
    }

    @Test
    void aProcessIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done")
                .redirectErrorStream(true).start();
        p.getInputStream().read(); // the trap is set
        long t0 = System.nanoTime();
        assertTrue(Processes.stopAll(List.of(p.toHandle()), Duration.ofMillis(500)));
        assertFalse(p.isAlive());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(4).toNanos(), "every wait is bounded");
    }
}
