package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM and SIGINT in the middle of a real newOrder (Pebble with its random validation
 * delays, so orders are pending): the master exits 1 as lacme does, and leaves nothing behind —
 * every child it had (accountd, client, one webserver per listen address) is gone by pid, the
 * temporary challenge directory is removed and the UNIX listen socket unlinked.
 */
class SignalIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;
    static Path sock;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.builder().vaNoSleep(false).start();
        Tree.Settings s = Tree.Settings.of(pebble);
        sock = tmp.resolve("lacme-www.socket");
        s.webserver.put("listen", "127.0.0.1:" + pebble.httpPort() + " " + sock);
        conf = Tree.write(tmp, s);
        Dist.register(tmp, conf);
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void signalMidRunExitsOneAndLeavesNothingBehind(String sig) throws Exception {
        List<Long> children = new ArrayList<>();
        Path challengeDir;
        Dist.Run r;
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            boolean ready = m.await(x -> x.running(Procs.CLIENT).size() == 1 && x.running(Procs.WEBSERVER).size() == 2
                    && x.running(Procs.ACCOUNTD).size() == 1, 60);
            assertTrue(ready, "master exited before its children were all up:\n" + m.stderr());
            children.addAll(m.running(Procs.CLIENT));
            children.addAll(m.running(Procs.WEBSERVER));
            children.addAll(m.running(Procs.ACCOUNTD));
            challengeDir = Procs.cwd(m.running(Procs.WEBSERVER).get(0)).orElseThrow();
            assertTrue(Files.isDirectory(challengeDir));
            assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
            Thread.sleep(300); // let the client start ordering
            assertTrue(m.alive(), "still mid-run");
            m.signal(sig);
            r = m.finish(60);
        }
        assertEquals(1, r.exit(), "lacme exits 1 on SIG" + sig + ": " + r);
        for (long pid : children) {
            assertFalse(Procs.alive(pid), "child " + pid + " still running after SIG" + sig);
        }
        assertFalse(Files.exists(challengeDir, LinkOption.NOFOLLOW_LINKS), "challenge directory removed");
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "UNIX listen socket unlinked");
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
        assertFalse(Files.exists(tmp.resolve("rsa.crt")) && Files.exists(tmp.resolve("ec.crt")),
                "the run was interrupted before both certificates were installed: " + r);
    }
}
