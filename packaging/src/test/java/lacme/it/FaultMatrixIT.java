package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault matrix of issue 15 against the built distribution, real Pebble (validation
 * sleeps on, so orders stay pending a while) and real processes: a fault is injected
 * mid-order, then every row checks the same things — exit status 1 with a one-line cause,
 * each section's old certificate pair byte-identical or a complete new pair verified to
 * Pebble's root with the section's key, no temporary file beside them, no process of the run
 * left (every descendant seen while it ran, by pid), no challenge directory or UNIX socket
 * left — and that the next normal run issues. Figures go to stderr for docs/fault-matrix.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixIT {
    static final List<String> SECTIONS = List.of("rsa", "ec");
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;
    static Path sock;

    /** A fault: what is done to the run, and the phase it waits for first. */
    enum Fault {
        KILL_CLIENT, KILL_WEBSERVER, KILL_ACCOUNTD,
        TERM_CHILDREN_UP, INT_CHILDREN_UP, TERM_VALIDATION, INT_VALIDATION, TERM_INSTALL, INT_INSTALL,
        KILL_MASTER, KILL_LAUNCHER
    }

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.builder().vaNoSleep(false).start();
        conf = writeTree();
        Dist.register(tmp, conf);
        normalRun("first run");
    }

    /** The tree against the current Pebble: two sections, a TCP and a UNIX-socket webserver. */
    static Path writeTree() throws Exception {
        Tree.Settings s = Tree.Settings.of(pebble);
        sock = tmp.resolve("lacme-www.socket");
        s.webserver.put("listen", "127.0.0.1:" + pebble.httpPort() + " " + sock);
        s.sections = SECTIONS;
        return Tree.write(tmp, s);
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    @Order(1)
    void aFaultMidOrderLeavesAConsistentStateAndTheNextRunIssues(Fault f) throws Exception {
        // -Dlacme.faults=KILL_MASTER,KILL_ACCOUNTD runs those rows only (when working on one)
        String only = System.getProperty("lacme.faults", "");
        org.junit.jupiter.api.Assumptions.assumeTrue(only.isEmpty() || List.of(only.split(",")).contains(f.name()),
                "row not selected by -Dlacme.faults");
        Map<Path, byte[]> before = null;
        Set<Long> seen = new LinkedHashSet<>();
        Path[] challengeDir = new Path[1];
        Dist.Run r = null;
        long t0;
        long ms = 0;
        for (int attempt = 1; r == null; attempt++) {
            Map<Path, byte[]> snap = snapshot();
            before = snap;
            challengeDir[0] = null;
            try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                    "newOrder", "--force"))) {
                Predicate<MasterRun> up = x -> {
                    seen.addAll(x.descendants().keySet());
                    List<Long> www = x.running(Procs.WEBSERVER);
                    if (challengeDir[0] == null && !www.isEmpty()) {
                        challengeDir[0] = Procs.cwd(www.get(0)).orElse(null);
                    }
                    return x.running(Procs.CLIENT).size() == 1 && www.size() == 2
                            && x.running(Procs.ACCOUNTD).size() == 1 && challengeDir[0] != null;
                };
                assertTrue(m.await(up, 60), f + ": children up:\n" + m.stderr());
                boolean reached = switch (f) {
                    case TERM_VALIDATION, INT_VALIDATION, KILL_ACCOUNTD ->
                            m.await(x -> up.test(x) && hasFile(challengeDir[0]), 60);
                    case TERM_INSTALL, INT_INSTALL -> m.await(x -> up.test(x) && changed(snap), 120);
                    default -> {
                        Thread.sleep(300); // let the client start ordering
                        yield m.alive();
                    }
                };
                if (!reached && !m.alive() && attempt < 3) {
                    // the run outran the phase (Pebble's random validation delay drew ~0 s for both
                    // authorizations, so no poll saw a challenge file): it was a normal run; again
                    System.err.println("FAULT " + f + ": phase missed (the run ended first), attempt " + attempt);
                    m.finish(120);
                    continue;
                }
                assertTrue(reached && m.alive(), f + ": phase reached mid-run:\n" + m.stderr());
                seen.addAll(m.descendants().keySet());
                t0 = System.nanoTime();
                switch (f) {
                    case KILL_CLIENT -> kill(m.running(Procs.CLIENT).get(0));
                    case KILL_WEBSERVER -> kill(m.running(Procs.WEBSERVER).get(0));
                    case KILL_ACCOUNTD -> kill(m.running(Procs.ACCOUNTD).get(0));
                    case KILL_MASTER -> m.killMaster();
                    case KILL_LAUNCHER -> m.signal("KILL");
                    default -> m.signal(f.name().substring(0, f.name().indexOf('_')));
                }
                r = m.finish(120);
                ms = (System.nanoTime() - t0) / 1_000_000;
                if (f == Fault.KILL_MASTER || f == Fault.KILL_LAUNCHER) {
                    Map<Long, List<String>> left = new HashMap<>();
                    long gone = awaitGone(seen, 10_000, left);
                    System.err.println("FAULT " + f + ": every process of the run gone " + gone + " ms after the kill"
                            + (left.isEmpty() ? "" : "; survivors after 10 s (killed by the test) " + left));
                    assertTrue(left.isEmpty(), f + ": survivors " + left);
                }
            }
        }
        List<String> errors = r.stderr().lines().filter(l -> l.contains("[ERROR]")).toList();
        System.err.println("FAULT " + f + ": exit " + r.exit() + " after " + ms + " ms; errors " + errors);
        if (f == Fault.KILL_MASTER || f == Fault.KILL_LAUNCHER) {
            // the caller sees the killed process' status; a master whose launcher died cleans up
            // as on SIGTERM (asserted below: nothing left)
            assertEquals(137, r.exit(), r.toString());
        } else {
            assertEquals(1, r.exit(), f + ": " + r);
            if (f.name().startsWith("KILL_")) {
                String who = switch (f) {
                    case KILL_CLIENT -> "the client";
                    case KILL_WEBSERVER -> "the webserver";
                    default -> "lacme-accountd";
                };
                // one line for the run, naming the dead process, whichever noticed first (accountd
                // killed after its greeting: the client's failure of a section, or the master's watcher)
                assertEquals(1, errors.size(), f + ": the cause in one line: " + r.stderr());
                assertTrue(errors.get(0).contains(who), f + ": the cause names " + who + ": " + errors);
                if (f == Fault.KILL_ACCOUNTD) {
                    everyOutcome(r.stderr(), f);
                }
            }
            if (f.name().startsWith("TERM_") || f.name().startsWith("INT_")) {
                // a signal's consequences in the children (the master closing their channel) are
                // not errors of their own: lacme prints nothing on SIGTERM/SIGINT
                assertTrue(errors.stream().noneMatch(l -> l.matches("lacme-[a-z]+: .*")), f + ": " + errors);
            }
            assertTrue(ms < 60_000, f + ": ended " + ms + " ms after the fault");
            if (f == Fault.TERM_INSTALL || f == Fault.INT_INSTALL) {
                everyOutcome(r.stderr(), f); // issue 15: not only the section being installed
            }
        }
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
        // unshare's line when its contained child died by SIGKILL is noise beside the one cause:
        // dropped from the children's relayed stderr (lacme.master.spawn.StderrRelay). Open: an
        // accountd running as root keeps root's stderr (not relayed), so its unshare's line stays
        boolean noise = r.stderr().contains("sigprocmask");
        System.err.println("FAULT " + f + ": unshare's sigprocmask line " + (noise ? "present" : "absent"));
        assertTrue(!noise || f == Fault.KILL_ACCOUNTD && r.stderr().lines().filter(l -> l.contains("sigprocmask"))
                .allMatch(l -> l.startsWith("unshare: ")), f + ": unshare's noise: " + r.stderr());
        for (long pid : seen) {
            assertFalse(Procs.alive(pid), f + ": process " + pid + " of the run still alive");
        }
        consistent(before, f.toString());
        if (f != Fault.KILL_MASTER) { // a killed master cannot clean; the next run must
            assertFalse(Files.exists(challengeDir[0], LinkOption.NOFOLLOW_LINKS), f + ": challenge directory left");
            assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), f + ": UNIX socket left");
        } else {
            // the dead run's socket (root's, in root's directory, nobody listening) is removed by
            // the next run, which says so (lacme 0.8.2 refused to bind over it for good)
            assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), f + ": the killed run left its socket");
            Dist.Run next = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder",
                    "--force"), 180);
            System.err.println("FAULT " + f + ": next run with the socket left: exit " + next.exit());
            assertEquals(0, next.exit(), next.toString());
            assertTrue(next.stderr().contains("Removed " + sock + ", the socket of an earlier run"), next.stderr());
        }
        normalRun("after " + f);
        assertFalse(Files.exists(challengeDir[0].getParent(), LinkOption.NOFOLLOW_LINKS),
                f + ": challenge directory left after the next run");
    }

    /** kill -9 of Pebble mid-order; the next run is against a fresh Pebble (its state was in memory). */
    @Test
    @Order(2)
    void aKilledCaFailsTheRunCleanly() throws Exception {
        Map<Path, byte[]> before = snapshot();
        Set<Long> seen = new LinkedHashSet<>();
        Dist.Run r;
        long ms;
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            assertTrue(m.await(x -> {
                seen.addAll(x.descendants().keySet());
                return x.running(Procs.CLIENT).size() == 1;
            }, 60), "client up:\n" + m.stderr());
            Thread.sleep(150); // Pebble reuses valid authorizations: a renewal can be done within a second
            assertTrue(m.alive(), "still mid-run");
            seen.addAll(m.descendants().keySet());
            long t0 = System.nanoTime();
            kill(pebble.pid());
            r = m.finish(120);
            ms = (System.nanoTime() - t0) / 1_000_000;
        }
        List<String> errors = r.stderr().lines().filter(l -> l.contains("[ERROR]")).toList();
        System.err.println("FAULT KILL_PEBBLE: exit " + r.exit() + " after " + ms + " ms; errors " + errors);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(ms < 90_000, "ended " + ms + " ms after the CA died (timeout = 60)");
        assertFalse(r.stderr().contains("\tat "), r.stderr());
        for (long pid : seen) {
            assertFalse(Procs.alive(pid), "process " + pid + " of the run still alive");
        }
        consistent(before, "KILL_PEBBLE");
        pebble.close();
        pebble = Pebble.builder().vaNoSleep(false).start();
        conf = writeTree();
        Dist.register(tmp, conf);
        normalRun("after KILL_PEBBLE (fresh Pebble)");
    }

    /** Each section's outcome, told once the run was cut short (lacme.master.Outcomes). */
    static void everyOutcome(String stderr, Fault f) {
        for (String sec : SECTIONS) {
            assertTrue(stderr.lines().anyMatch(l -> l.contains("[" + sec + "] installed")
                    || l.contains("[" + sec + "] ") && l.contains("the old files are kept")),
                    f + ": the outcome of section " + sec + " told: " + stderr);
        }
    }

    static void kill(long pid) throws Exception {
        new ProcessBuilder("/bin/sh", "-c", "kill -s KILL \"$1\"", "sh", Long.toString(pid)).inheritIO().start()
                .waitFor();
    }

    /**
     * Milliseconds until every pid in {@code pids} is gone, at most {@code max}: then the
     * survivors go to {@code left} (pid → command line) and are killed.
     */
    static long awaitGone(Set<Long> pids, long max, Map<Long, List<String>> left) throws Exception {
        long t0 = System.nanoTime();
        while ((System.nanoTime() - t0) / 1_000_000 < max) {
            if (pids.stream().noneMatch(Procs::alive)) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(10);
        }
        pids.stream().filter(Procs::alive).forEach(p -> left.put(p, Procs.cmdline(p)));
        pids.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        return max;
    }

    static boolean hasFile(Path dir) {
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (Exception e) {
            return false;
        }
    }

    static Path crt(String sec) {
        return tmp.resolve(sec + ".crt");
    }

    static Path chain(String sec) {
        return tmp.resolve(sec + ".chain.pem");
    }

    static Map<Path, byte[]> snapshot() throws Exception {
        Map<Path, byte[]> m = new HashMap<>();
        for (String sec : SECTIONS) {
            m.put(crt(sec), Files.readAllBytes(crt(sec)));
            m.put(chain(sec), Files.readAllBytes(chain(sec)));
        }
        return m;
    }

    static boolean changed(Map<Path, byte[]> before) {
        return before.entrySet().stream().anyMatch(e -> {
            try {
                return !Arrays.equals(e.getValue(), Files.readAllBytes(e.getKey()));
            } catch (Exception x) {
                return true;
            }
        });
    }

    /**
     * Each section: both files byte-identical to {@code before}, or a complete new pair (the
     * certificate is the chain's leaf, verified to Pebble's root, for the section's key); no
     * other file beside them.
     */
    static void consistent(Map<Path, byte[]> before, String what) throws Exception {
        for (String sec : SECTIONS) {
            boolean same = Arrays.equals(before.get(crt(sec)), Files.readAllBytes(crt(sec)))
                    && Arrays.equals(before.get(chain(sec)), Files.readAllBytes(chain(sec)));
            if (!same) {
                List<X509Certificate> leaf = Certs.parse(crt(sec));
                List<X509Certificate> full = Certs.parse(chain(sec));
                assertEquals(1, leaf.size(), what + ": " + sec + ".crt");
                assertEquals(leaf.get(0), full.get(0), what + ": " + sec + " pair mismatched");
                Certs.verifiesToPebbleRoot(full, pebble);
                assertEquals(Certs.publicKey(tmp.resolve(sec + ".key")), leaf.get(0).getPublicKey(), what);
                System.err.println("FAULT " + what + ": " + sec + " has a complete new pair");
            }
        }
        try (var s = Files.list(tmp)) {
            List<String> extra = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".tmp") || n.matches(".*\\.(crt|pem)\\..+")).toList();
            assertEquals(List.of(), extra, what + ": temporary files beside the certificates");
        }
    }

    static void normalRun(String what) throws Exception {
        long t0 = System.nanoTime();
        Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder", "--force"), 180);
        System.err.println("FAULT normal run " + what + ": exit " + r.exit() + " in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertEquals(0, r.exit(), what + ": " + r);
        for (String sec : SECTIONS) {
            List<X509Certificate> full = Certs.parse(chain(sec));
            Certs.verifiesToPebbleRoot(full, pebble);
            assertEquals(full.get(0), Certs.parse(crt(sec)).get(0), what);
        }
    }
}
