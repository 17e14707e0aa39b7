package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 failure 2 (files), end to end: a master killed with SIGKILL while its webserver
 * serves the challenge directory leaves {@code $TMPDIR/lacme.<random>/acme-challenge.<random>}
 * behind; the next normal run removes it (root's, sealed, its lock died with the master) and
 * issues.
 */
class LeftoversIT {
    @TempDir
    Path tmp;

    @Test
    void aKilledRunsChallengeDirectoryGoesWithTheNextRun() throws Exception {
        // the VA's random wait (up to 15 s) keeps the run busy after its webserver is up: the client,
        // started first and ready (issue 13), would otherwise finish before the kill
        try (Pebble pebble = Pebble.builder().vaNoSleep(false).start()) {
            Path conf = Tree.write(tmp, pebble);
            Dist.register(tmp, conf);
            killThenRun(List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"));
        }
    }

    private void killThenRun(List<String> argv) throws Exception {
        Path challenge;
        List<Long> children = new ArrayList<>();
        try (MasterRun m = MasterRun.start(tmp, argv)) {
            List<Long> www = new ArrayList<>();
            assertTrue(m.await(x -> {
                www.addAll(x.running(Procs.WEBSERVER));
                return !www.isEmpty();
            }, 120), "a webserver started");
            challenge = Procs.cwd(www.get(0)).orElseThrow();
            children.addAll(m.descendants().keySet());
            m.killMaster();
            m.finish(10);
        } finally {
            for (long pid : children) { // reparented once the master died: stopped by pid
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (long pid : children) {
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        }
        Path parent = challenge.getParent();
        assertTrue(parent.getFileName().toString().matches("lacme\\.[0-9a-f]{16}"), parent.toString());
        assertTrue(Files.isDirectory(challenge, LinkOption.NOFOLLOW_LINKS), "the killed run left " + challenge);

        Dist.Run next = Dist.run(tmp, argv, 180);
        assertEquals(0, next.exit(), next.toString());
        assertFalse(Files.exists(parent, LinkOption.NOFOLLOW_LINKS), "the next run removed " + parent);
    }
}
