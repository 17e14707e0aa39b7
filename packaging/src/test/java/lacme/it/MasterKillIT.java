package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the master mid-order (issue 15, failure 2): nothing it started survives it —
 * every child (and the containment wrappers) is gone within a couple of seconds, because each
 * child's wrapper gets SIGKILL when the master dies (parent-death signal) and the kernel then
 * kills the child's whole PID namespace — and the next normal run succeeds.
 */
class MasterKillIT {
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
    void nothingOutlivesAKilledMaster() throws Exception {
        Set<Long> started = new TreeSet<>();
        long ms;
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            assertTrue(m.await(x -> x.running(Procs.CLIENT).size() == 1 && x.running(Procs.WEBSERVER).size() == 1
                    && x.running(Procs.ACCOUNTD).size() == 1, 60), "children up:\n" + m.stderr());
            Thread.sleep(300); // let the client start ordering
            started.addAll(m.descendants().keySet());
            m.signal("KILL");
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
