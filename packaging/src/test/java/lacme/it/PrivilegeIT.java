package lacme.it;

import lacme.common.config.Passwd;
import lacme.master.Cleanup;
import lacme.master.spawn.PrivDrop;
import lacme.master.spawn.Spawner;
import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The privilege separation, observed rather than assumed (root only; CI runs as root). During
 * a real issuance against Pebble the client and the webserver are caught alive among the
 * master's descendants and their {@code /proc/PID/status} read: configured uid/gid, no other
 * group, no_new_privs, no capability, a clean environment. Then the very code that drops
 * privileges ({@link Spawner} + {@link PrivDrop}) runs {@code cat} on the service and account
 * keys: refused with the drop, allowed without it — so the test fails if the drop is lost.
 * Each child also runs contained: a session of its own, no controlling terminal, a PID
 * namespace of its own, and for the webserver no network.
 */
class PrivilegeIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Dist.isRoot(), "privilege tests need root");
        pebble = Pebble.start();
        conf = Tree.write(tmp, pebble);
        Dist.register(tmp, conf);
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    static long masterPid(MasterRun m) {
        try {
            return m.masterPid();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** First status seen of each live process running one of the main classes, by pid. */
    static Map<Long, Map<String, String>> watch(MasterRun m, String mainClass, Map<Long, Map<String, String>> seen,
                                                Map<Long, List<String>> env, Map<Long, Path> cwd) {
        for (long pid : m.running(mainClass)) {
            if (!seen.containsKey(pid)) {
                Procs.status(pid).ifPresent(st -> {
                    Map<String, String> all = new LinkedHashMap<>(st);
                    all.putAll(containment(pid));
                    Map<String, String> master = containment(masterPid(m));
                    all.put("MasterSession", master.get("Session"));
                    all.put("MasterNsPid", master.get("NsPid"));
                    all.put("MasterNsNet", master.get("NsNet"));
                    seen.put(pid, all);
                });
                Procs.environNames(pid).ifPresent(e -> env.put(pid, e));
                Procs.cwd(pid).ifPresent(c -> cwd.put(pid, c));
            }
        }
        return seen;
    }

    /**
     * Session id and tty_nr from {@code /proc/PID/stat} (the fields after the command name),
     * and the PID and network namespaces.
     */
    static Map<String, String> containment(long pid) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            m.put("Session", f[3]);
            m.put("TtyNr", f[4]);
            m.put("NsPid", Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString());
            m.put("NsNet", Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString());
        } catch (java.io.IOException e) {
            m.put("Session", "gone");
        }
        return m;
    }

    @Test
    void clientAndWebserverRunUnprivilegedDuringARealIssuance() throws Exception {
        Map<Long, Map<String, String>> clients = new LinkedHashMap<>();
        Map<Long, Map<String, String>> webservers = new LinkedHashMap<>();
        Map<Long, List<String>> env = new LinkedHashMap<>();
        Map<Long, Path> cwd = new LinkedHashMap<>();
        Dist.Run r;
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf,
                "newOrder", "--force"))) {
            m.await(x -> {
                watch(x, Procs.CLIENT, clients, env, cwd);
                watch(x, Procs.WEBSERVER, webservers, env, cwd);
                return false; // watch until the master exits
            }, 120);
            r = m.finish(10);
        }
        assertEquals(0, r.exit(), r.toString());
        assertEquals(1, clients.size(), "one client caught alive: " + clients.keySet());
        assertEquals(1, webservers.size(), "one webserver (one listen address) caught alive");
        long nogroup = Passwd.gid("nogroup").orElseThrow();
        Map<String, String> client = clients.values().iterator().next();
        Map<String, String> web = webservers.values().iterator().next();
        check(client, Passwd.user("_lacme-client").orElseThrow().uid(), nogroup);
        check(web, Passwd.user("_lacme-www").orElseThrow().uid(), nogroup);
        for (Map<String, String> st : List.of(client, web)) {
            assertNotEquals(st.get("MasterSession"), st.get("Session"), "a session of its own: " + st);
            assertEquals("0", st.get("TtyNr"), "no controlling terminal: " + st);
            assertNotEquals(st.get("MasterNsPid"), st.get("NsPid"), "a PID namespace of its own: " + st);
        }
        assertNotEquals(client.get("NsPid"), web.get("NsPid"), "one PID namespace per child");
        assertEquals(client.get("MasterNsNet"), client.get("NsNet"), "the client keeps the network");
        assertNotEquals(web.get("MasterNsNet"), web.get("NsNet"), "the webserver has no network of its own");
        // PWD is set by the launcher (sh) from the cwd the master chose
        Set<String> allowed = Set.of("USER", "LOGNAME", "HOME", "SHELL", "PATH", "TERM", "JAVA_HOME", "PWD");
        for (var e : env.entrySet()) {
            assertTrue(allowed.containsAll(e.getValue()), "clean environment of " + e.getKey() + ": " + e.getValue());
        }
        Set<Path> dirs = new TreeSet<>(cwd.values());
        assertEquals(1, dirs.size(), "client and webserver share the challenge directory: " + cwd);
        Path dir = dirs.iterator().next();
        assertTrue(dir.getFileName().toString().startsWith("acme-challenge."), dir.toString());
        assertFalse(Files.exists(dir), "challenge directory removed after the run");
    }

    static void check(Map<String, String> st, long uid, long gid) {
        String u = uid + "\t" + uid + "\t" + uid + "\t" + uid;
        String g = gid + "\t" + gid + "\t" + gid + "\t" + gid;
        assertEquals(u, st.get("Uid"), "real/effective/saved/fs uid of " + st.get("Name"));
        assertEquals(g, st.get("Gid"), "real/effective/saved/fs gid");
        assertEquals(Long.toString(gid), st.get("Groups"), "supplementary groups: the configured group only");
        assertEquals("1", st.get("NoNewPrivs"));
        assertEquals("0000000000000000", st.get("CapEff"));
        assertEquals("0000000000000000", st.get("CapPrm"));
        assertEquals("0000000000000000", st.get("CapBnd"));
    }

    /** Runs {@code cat FILE} through the master's spawning code; returns exit status and stdout. */
    static Object[] cat(PrivDrop drop, Path file) throws Exception {
        Cleanup cleanup = new Cleanup(LoggerFactory.getLogger("it"));
        Spawner spawner = new Spawner(cleanup, LoggerFactory.getLogger("it"));
        Path out = Files.createTempFile(tmp, "cat", ".out");
        try {
            Spawner.Child c = spawner.start("cat", drop, lacme.common.os.Contain.ONLINE, List.of("/bin/cat", file.toString()), tmp,
                    ProcessBuilder.Redirect.from(new File("/dev/null")), ProcessBuilder.Redirect.to(out.toFile()));
            int rc = spawner.waitFor(c, 20_000);
            return new Object[] {rc, Files.readString(out)};
        } finally {
            cleanup.runAll();
            Files.delete(out);
        }
    }

    @Test
    void theSamePrivilegeDropKeepsServiceAndAccountKeysOutOfReach() throws Exception {
        for (String key : List.of("rsa.key", "ec.key", "account.key")) {
            Path k = tmp.resolve(key);
            assertEquals(0, Files.getAttribute(k, "unix:uid"));
            assertEquals(0600, (Integer) Files.getAttribute(k, "unix:mode") & 0777);
            for (String[] ug : new String[][] {{"_lacme-client", "nogroup"}, {"_lacme-www", "nogroup"}}) {
                Object[] dropped = cat(PrivDrop.of(ug[0], ug[1]), k);
                assertNotEquals(0, dropped[0], ug[0] + " must not read " + key);
                assertFalse(((String) dropped[1]).contains("PRIVATE KEY"), ug[0] + " read " + key);
            }
            Object[] undropped = cat(PrivDrop.of("", ""), k);
            assertEquals(0, undropped[0], "without the drop the same code reads " + key);
            assertTrue(((String) undropped[1]).contains("PRIVATE KEY"));
        }
    }
}
