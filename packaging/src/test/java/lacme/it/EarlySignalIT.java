package lacme.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A SIGTERM or SIGINT in the first instants of a run — while the launcher's shell runs,
 * while the JVM starts, before the master has parsed its command line — exits 1, lacme's
 * status, not the 143/130 of a process killed by the signal (issue 15, failure 4). Before the
 * fix 0, 5 and 120 ms gave 143/130 (launcher without trap, hook installed after parsing).
 * Not asserted: the JVM's own boot, about 10 to 80 ms after start on the build machine,
 * before the JVM has any handler; a signal then still ends it with 143/130 (only a launcher
 * that does not exec the JVM could close that). A delay after which the master has already
 * exited proves nothing and is skipped (a run against a closed port outlasts 0.3 s).
 */
class EarlySignalIT {
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        Tree.Settings s = new Tree.Settings("https://127.0.0.1:1/dir", tmp.resolve("no-ca.pem"), 1, null);
        s.webserver.put("listen", tmp.resolve("www.socket").toString());
        s.sections = List.of("ec");
        conf = Tree.write(tmp, s);
        Files.writeString(tmp.resolve("no-ca.pem"), "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalRightAfterStartExitsOne(String sig) throws Exception {
        List<String> seen = new ArrayList<>();
        for (int delayMs : new int[] {0, 5, 150, 200, 300}) {
            try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                    "newOrder", "--force"))) {
                Thread.sleep(delayMs);
                if (!m.alive()) {
                    continue;
                }
                m.signal(sig);
                Dist.Run r = m.finish(60);
                seen.add(delayMs + " ms: " + r.exit());
                assertEquals(1, r.exit(), "SIG" + sig + " " + delayMs + " ms after start: " + r);
                assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r);
            }
        }
        System.err.println("SIG" + sig + " after start (delay: exit status): " + seen);
        assertFalse(seen.isEmpty());
    }
}
