package lacme.master.dns;

import lacme.master.Cleanup;
import lacme.master.Fatal;
import lacme.master.csr.Identifiers.Name;
import lacme.master.spawn.PrivDrop;
import lacme.master.spawn.Spawner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hook through the real spawner: arguments as separate words (no shell), run as the
 * configured user, failure and timeout one line naming the section, and the removal run by
 * the cleanup even when the add failed.
 */
class DnsHookTest {
    private static final Logger LOG = LoggerFactory.getLogger("test");
    private static final String NAME = "_acme-challenge.www.example.org";
    private static final String VALUE = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

    @TempDir
    Path tmp;
    final Cleanup cleanup = new Cleanup(LOG);
    final Spawner spawner = new Spawner(cleanup, LOG);

    @AfterEach
    void tearDown() {
        cleanup.runAll();
    }

    /** A hook that appends "uid action name value section" to a log, then behaves as {@code tail}. */
    private DnsHook hook(String tail, Duration timeout) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path script = tmp.resolve("hook");
        Files.writeString(script, "#!/bin/sh\necho \"$(id -u) $* $LACME_DNS_ACTION $LACME_SECTION\" >> " + tmp.resolve("log")
                + "\n" + tail + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivDrop drop = PrivDrop.currentUid() == 0 ? PrivDrop.of("nobody", "nogroup") : PrivDrop.of("", "");
        return new DnsHook(spawner, cleanup, drop, script + " --flag", timeout, "www", LOG);
    }

    private List<String> log() throws Exception {
        return Files.readAllLines(tmp.resolve("log"));
    }

    private static String uid() {
        return Long.toString(PrivDrop.currentUid() == 0 ? 65534 : PrivDrop.currentUid());
    }

    @Test
    void addThenRemoveAsTheUnprivilegedUser() throws Exception {
        Cleanup.Action remove = hook("exit 0", Duration.ofSeconds(20)).add(NAME, VALUE);
        assertEquals(List.of(uid() + " --flag add " + NAME + " " + VALUE + " www add www"), log());
        cleanup.runNow(remove);
        assertEquals(uid() + " --flag remove " + NAME + " " + VALUE + " www remove www", log().get(1));
        cleanup.runAll();
        assertEquals(2, log().size(), "removed once");
    }

    @Test
    void theMasterRefusesANameOutsideTheSectionWithoutRunningTheHook() throws Exception {
        DnsRecords records = new DnsRecords("www", List.of(new Name("dns", "www.example.org")),
                hook("exit 0", Duration.ofSeconds(20)));
        for (String[] bad : List.of(new String[] {"_acme-challenge.victim.example", VALUE},
                new String[] {NAME, "$(touch /tmp/x)"}, new String[] {NAME, VALUE + "\n"})) {
            Fatal e = assertThrows(Fatal.class, () -> records.publish(bad[0], bad[1]));
            assertTrue(e.getMessage().startsWith("[www] refused "), e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("log")), "the hook never ran");
        records.publish(NAME, VALUE); // the check alone decided: the same hook runs for a good request
        cleanup.runAll();
        assertEquals(2, log().size(), log().toString());
        assertThrows(Fatal.class, () -> records.publish(NAME, VALUE), "no add once torn down");
        assertEquals(2, log().size(), log().toString());
    }

    @Test
    void failureNamesTheSectionAndTheRemovalStillRuns() throws Exception {
        DnsHook h = hook("[ \"$2\" = add ] && exit 3; exit 0", Duration.ofSeconds(20));
        Fatal e = assertThrows(Fatal.class, () -> h.add(NAME, VALUE));
        assertEquals("[www] dns-hook add " + NAME + " failed (exit status 3)", e.getMessage());
        cleanup.runAll(); // as on the master's exit
        assertTrue(log().get(1).contains(" remove " + NAME), log().toString());
    }

    @Test
    void timeoutKillsTheHookNamesTheSectionAndTheRemovalStillRuns() throws Exception {
        DnsHook h = hook("[ \"$2\" = add ] && exec sleep 60; exit 0", Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        Fatal e = assertThrows(Fatal.class, () -> h.add(NAME, VALUE));
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "bounded");
        assertEquals("[www] dns-hook add " + NAME + " timed out after 1 s", e.getMessage());
        cleanup.runAll();
        assertTrue(log().get(1).contains(" remove " + NAME), log().toString());
    }

    /**
     * A signal while the add runs (the cleanup, as the shutdown hook runs it): the add is killed
     * before its removal runs, so it cannot publish after the removal. The add ticks every 0.2 s
     * and the removal takes a second: a tick after "remove" would be an add still running.
     */
    @Test
    void aSignalKillsTheRunningAddBeforeItsRemoval() throws Exception {
        DnsHook h = hook("if [ \"$2\" = add ]; then while :; do sleep 0.2; echo tick >> " + tmp.resolve("log")
                + "; done; fi; sleep 1", Duration.ofSeconds(60));
        Thread adder = new Thread(() -> {
            try {
                h.add(NAME, VALUE);
            } catch (Fatal e) {
                // killed by the cleanup: expected
            }
        });
        adder.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!(Files.exists(tmp.resolve("log")) && log().contains("tick"))) {
            assertTrue(System.nanoTime() < deadline, "the add started");
            Thread.sleep(50);
        }
        long t0 = System.nanoTime();
        cleanup.runAll();
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "no grace period lost on the add");
        adder.join(10_000);
        Thread.sleep(500);
        List<String> lines = log();
        int remove = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(" remove " + NAME)) {
                remove = i;
            }
        }
        assertTrue(remove > 0, lines.toString());
        assertFalse(lines.subList(remove, lines.size()).contains("tick"), "the add was dead before the removal: " + lines);
    }
}
