package lacme.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SIGTERM or SIGINT at any instant of a run ends it with 1, lacme's status (issue 15,
 * failure 4), including the JVM's own boot, before any of the master's code runs, where the
 * JVM alone would end with 143/130: {@code sbin/lacme} stays the JVM's parent, forwards the
 * signal and answers 1 for a JVM killed by it. Whatever the instant: status 1, promptly, no
 * stack trace, no process of the run left. The launcher killed outright (SIGKILL) does not
 * leave the master running unseen: it notices its parent changed and ends as on SIGTERM.
 */
class EarlySignalIT {
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        conf = Tree.writeWithoutCa(tmp);
    }

    /**
     * Signals a fresh run (its launcher, as a sysadmin would) {@code delayMs} after start;
     * its exit status, or -1 when it had already exited.
     */
    private static int signalAfter(String sig, int delayMs) throws Exception {
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            Thread.sleep(delayMs);
            if (!m.alive()) {
                return -1;
            }
            Set<Long> seen = new HashSet<>(m.descendants().keySet());
            m.signal(sig);
            Dist.Run r = m.finish(60);
            assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r);
            seen.addAll(m.descendants().keySet());
            for (long pid : seen) {
                assertFalse(Procs.alive(pid), "SIG" + sig + " " + delayMs + " ms after start: " + pid
                        + " " + Procs.cmdline(pid) + " still alive");
            }
            return r.exit();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalAtAnyInstantEndsTheRunWithOne(String sig) throws Exception {
        List<String> measured = new ArrayList<>();
        for (int delayMs : new int[] {0, 5, 20, 50, 80, 120, 150, 200, 300, 500}) {
            int rc = signalAfter(sig, delayMs);
            measured.add(delayMs + " ms: " + (rc == -1 ? "ended before" : rc));
            assertTrue(rc == 1 || rc == -1, "SIG" + sig + " " + delayMs + " ms after start: " + rc
                    + " (so far " + measured + ")");
        }
        System.err.println("SIG" + sig + " soon after start (delay: exit status): " + measured);
        assertTrue(measured.stream().filter(x -> x.endsWith(": 1")).count() >= 8, "most delays signalled mid-run: "
                + measured);
    }

    /**
     * kill -9 of sbin/lacme mid-run: its caller sees 137 at once, and the master, its parent
     * gone, cleans up and ends within a second or so: no process of the run left behind.
     */
    @Test
    void aKilledLauncherTakesTheMasterWithIt() throws Exception {
        Set<Long> seen = new HashSet<>();
        long ms;
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            long master = m.masterPid();
            Thread.sleep(700); // the master's own code runs
            assertTrue(Procs.alive(master), "master still running");
            seen.addAll(m.descendants().keySet());
            m.signal("KILL");
            long t0 = System.nanoTime();
            assertEquals(137, m.finish(10).exit());
            while (seen.stream().anyMatch(Procs::alive) && System.nanoTime() - t0 < 10_000_000_000L) {
                Thread.sleep(10);
            }
            ms = (System.nanoTime() - t0) / 1_000_000;
            System.err.println("launcher killed: master and its children gone after " + ms + " ms");
            for (long pid : seen) {
                assertFalse(Procs.alive(pid), pid + " " + Procs.cmdline(pid) + " outlived its launcher");
            }
        }
        assertTrue(ms < 5_000, "gone " + ms + " ms after the launcher");
    }

    /**
     * The launcher hands its stdin to the JVM (dup'd: an asynchronous command of sh would get
     * /dev/null); with stdin closed, as {@code exec} would have run the JVM, it still starts it.
     */
    @Test
    void theLauncherStartsTheMasterWithAClosedStdin() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "exec \"$1\" --version <&-", "sh", Dist.lacme().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "ended");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("lacme (Java) version "), out);
    }
}
