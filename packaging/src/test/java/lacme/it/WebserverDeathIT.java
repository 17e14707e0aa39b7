package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a webserver mid-order (real Pebble with its validation delays): the master
 * notices at once and fails the run with one line naming the listen address, exit 1, well
 * before the CA would give up on validation (issue 15, failure 3), and leaves nothing behind;
 * and kill -9 of the master itself takes every child with it.
 */
class WebserverDeathIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.builder().vaNoSleep(false).start();
        Tree.Settings s = Tree.Settings.of(pebble);
        s.webserver.put("listen", "127.0.0.1:" + pebble.httpPort());
        conf = Tree.write(tmp, s);
        Dist.register(tmp, conf);
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void aKilledWebserverFailsTheRunAtOnce() throws Exception {
        Path ec = tmp.resolve("ec.crt");
        byte[] before = Files.exists(ec) ? Files.readAllBytes(ec) : null;
        List<Long> children = new ArrayList<>();
        Dist.Run r;
        long ms;
        Path challengeDir;
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            assertTrue(m.await(x -> x.running(Procs.CLIENT).size() == 1 && x.running(Procs.WEBSERVER).size() == 1
                    && x.running(Procs.ACCOUNTD).size() == 1, 60), "children up:\n" + m.stderr());
            children.addAll(m.running(Procs.CLIENT));
            children.addAll(m.running(Procs.ACCOUNTD));
            long web = m.running(Procs.WEBSERVER).get(0);
            challengeDir = Procs.cwd(web).orElseThrow();
            Thread.sleep(300); // let the client start ordering
            assertTrue(m.alive(), "still mid-run");
            long t0 = System.nanoTime();
            new ProcessBuilder("/bin/sh", "-c", "kill -s KILL \"$1\"", "sh", Long.toString(web)).inheritIO().start()
                    .waitFor();
            r = m.finish(60);
            ms = (System.nanoTime() - t0) / 1_000_000;
        }
        System.err.println("webserver killed: lacme ended after " + ms + " ms: " + r);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(ms < 5_000, "ended " + ms + " ms after the kill (the CA gives up after 15 s)");
        List<String> errors = r.stderr().lines().filter(l -> l.startsWith("[ERROR]")).toList();
        // the status is the containment wrapper's (unshare --fork, the webserver's parent): util-linux
        // 2.38 cannot re-raise a SIGKILL its child died of and exits 1 instead of 137
        assertEquals(1, errors.size(), r.stderr());
        assertTrue(errors.get(0).matches("\\[ERROR] lacme - the webserver for 127\\.0\\.0\\.1:" + pebble.httpPort()
                + " exited \\(status (1|137)\\)"), r.stderr());
        assertFalse(r.stderr().contains("\tat "), r.stderr());
        for (long pid : children) {
            assertFalse(Procs.alive(pid), "child " + pid + " still running");
        }
        assertFalse(Files.exists(challengeDir, LinkOption.NOFOLLOW_LINKS), "challenge directory removed");
        if (before != null) {
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(ec)), "old certificate byte-identical");
        }
    }

    /**
     * kill -9 of the master mid-order (issue 15, failure 2): every child's wrapper gets SIGKILL
     * when the master dies (parent-death signal) and the kernel kills its PID namespace, so
     * nothing of the run survives it; the next normal run succeeds.
     */
    @Test
    void nothingOutlivesAKilledMaster() throws Exception {
        Set<Long> started = new TreeSet<>();
        long ms;
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            assertTrue(m.await(x -> x.running(Procs.CLIENT).size() == 1 && x.running(Procs.WEBSERVER).size() == 1
                    && x.running(Procs.ACCOUNTD).size() == 1, 60), "children up:\n" + m.stderr());
            Thread.sleep(300); // let the client start ordering
            started.addAll(m.descendants().keySet());
            m.killMaster();
            long t0 = System.nanoTime();
            long deadline = t0 + 10_000_000_000L;
            while (started.stream().anyMatch(Procs::alive) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            ms = (System.nanoTime() - t0) / 1_000_000;
            Set<Long> left = new TreeSet<>();
            started.stream().filter(Procs::alive).forEach(left::add);
            System.err.println("master killed: " + started.size() + " descendants gone after " + ms + " ms; left: "
                    + left);
            assertEquals(Set.of(), left, "processes of the killed run still alive");
        }
        assertTrue(ms < 3_000, "descendants gone " + ms + " ms after the master's death");
        Dist.Run next = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder", "--force"), 120);
        assertEquals(0, next.exit(), next.toString());
    }
}
