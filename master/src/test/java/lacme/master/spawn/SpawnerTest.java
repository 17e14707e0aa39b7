package lacme.master.spawn;

import lacme.common.os.Contain;
import lacme.common.os.Fds;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real processes through {@link Spawner} and {@link PrivDrop}: what a child sees of itself
 * ({@code /proc/self/status}), its environment and cwd, and that it cannot read a root-only
 * file — which it can when the drop is removed, so these tests would fail without it.
 */
class SpawnerTest {
    @TempDir
    Path tmp;
    final Cleanup cleanup = new Cleanup(LoggerFactory.getLogger("test"));
    final Spawner spawner = new Spawner(cleanup, LoggerFactory.getLogger("test"));

    @AfterEach
    void tearDown() {
        cleanup.runAll();
    }

    static void assumeRoot() {
        Assumptions.assumeTrue(PrivDrop.currentUid() == 0, "needs root (CI runs as root)");
    }

    /** Runs argv through the spawner to completion; returns exit status and stdout. */
    String[] run(PrivDrop drop, Path cwd, String... argv) throws Exception {
        Path out = tmp.resolve("out-" + System.nanoTime());
        Files.createFile(out);
        Spawner.Child c = spawner.start("test", drop, Contain.ONLINE, List.of(argv), cwd,
                ProcessBuilder.Redirect.from(new File("/dev/null")), ProcessBuilder.Redirect.to(out.toFile()));
        int rc = spawner.waitFor(c, 20_000);
        return new String[] {Integer.toString(rc), Files.readString(out)};
    }

    static Map<String, String> status(String text) {
        Map<String, String> m = new HashMap<>();
        for (String line : text.split("\n")) {
            int i = line.indexOf(':');
            if (i > 0) {
                m.put(line.substring(0, i), line.substring(i + 1).trim());
            }
        }
        return m;
    }

    @Test
    void droppedChildHasOnlyTheConfiguredIdentityAndNoPrivileges() throws Exception {
        assumeRoot();
        PrivDrop d = PrivDrop.of("nobody", "nogroup");
        Map<String, String> st = status(run(d, tmp, "/bin/cat", "/proc/self/status")[1]);
        String u = Long.toString(d.uid());
        String g = Long.toString(d.gid());
        assertEquals(String.join("\t", u, u, u, u), st.get("Uid"), "real, effective, saved, fs");
        assertEquals(String.join("\t", g, g, g, g), st.get("Gid"));
        assertEquals(g, st.get("Groups"), "supplementary groups: the configured group only");
        assertEquals("1", st.get("NoNewPrivs"));
        for (String cap : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertEquals("0000000000000000", st.get(cap), cap);
        }
    }

    @Test
    void groupOnlyDropLeavesUidZeroButNoCapability() throws Exception {
        assumeRoot();
        PrivDrop d = PrivDrop.of("", "nogroup");
        Map<String, String> st = status(run(d, tmp, "/bin/cat", "/proc/self/status")[1]);
        assertTrue(st.get("Uid").startsWith("0\t"), "lacme leaves the uid alone without a user");
        assertEquals(Long.toString(d.gid()), st.get("Groups"));
        assertEquals("0000000000000000", st.get("CapEff"));
        assertEquals("0000000000000000", st.get("CapPrm"));
        assertEquals("1", st.get("NoNewPrivs"));
    }

    @Test
    void environmentIsCleanAndCwdExplicit() throws Exception {
        PrivDrop d = PrivDrop.currentUid() == 0 ? PrivDrop.of("nobody", "nogroup") : PrivDrop.of("", "");
        Set<String> names = new TreeSet<>();
        for (String l : run(d, tmp, "/usr/bin/env")[1].split("\n")) {
            names.add(l.substring(0, l.indexOf('=')));
        }
        names.remove("TERM");
        names.remove("JAVA_HOME");
        assertEquals(new TreeSet<>(List.of("HOME", "LOGNAME", "PATH", "SHELL", "USER")), names);
        assertEquals(tmp.toRealPath().toString(), run(d, tmp, "/bin/pwd")[1].trim());
    }

    @Test
    void extraEnvironmentIsAdded() throws Exception {
        Path out = tmp.resolve("env");
        Spawner.Child c = spawner.start("test", PrivDrop.of("", ""), Contain.ONLINE, List.of("/usr/bin/env"), Map.of("GPG_TTY", "/dev/pts/9"),
                tmp, ProcessBuilder.Redirect.from(new File("/dev/null")), ProcessBuilder.Redirect.to(out.toFile()));
        spawner.waitFor(c, 20_000);
        assertTrue(Files.readString(out).contains("GPG_TTY=/dev/pts/9\n"));
    }

    @Test
    void droppedChildCannotReadARootOnlyFileButCanWithoutTheDrop() throws Exception {
        assumeRoot();
        Path secret = tmp.resolve("secret.key");
        Files.writeString(secret, "-----BEGIN PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] dropped = run(PrivDrop.of("nobody", "nogroup"), tmp, "/bin/cat", secret.toString());
        assertNotEquals("0", dropped[0]);
        assertFalse(dropped[1].contains("PRIVATE KEY"));
        String[] undropped = run(PrivDrop.of("", ""), tmp, "/bin/cat", secret.toString());
        assertEquals("0", undropped[0]);
        assertTrue(undropped[1].contains("PRIVATE KEY"), "the same code without the drop reads it");
    }

    /** A command the dropped user cannot reach is one line from root, before any child exists. */
    @Test
    void aCommandInARootOnlyDirectoryIsRefusedBeforeSpawning() throws Exception {
        assumeRoot();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectory(tmp.resolve("root"));
        Path bin = Files.createDirectories(home.resolve("x/libexec/lacme"));
        Files.setPosixFilePermissions(home.resolve("x"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(home.resolve("x/libexec"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path client = Files.writeString(bin.resolve("client"), "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Set<Long> before = children();
        Fatal e = assertThrows(Fatal.class, () -> run(PrivDrop.of("nobody", "nogroup"), tmp, client.toString()));
        assertEquals(client + " is not readable/executable by nobody (" + home + " is mode 0700)", e.getMessage());
        assertEquals(before, children(), "nothing was spawned");
        assertEquals("0", run(PrivDrop.of("", ""), tmp, client.toString())[0], "root itself may run it");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx--x--x"));
        assertEquals("ran\n", run(PrivDrop.of("nobody", "nogroup"), tmp, client.toString())[1]);
    }

    static Set<Long> children() {
        Set<Long> s = new TreeSet<>();
        ProcessHandle.current().children().forEach(p -> s.add(p.pid()));
        return s;
    }

    @Test
    void childrenAreStoppedByTheCleanupAndNoneStartsAfterIt() throws Exception {
        Spawner.Child c = spawner.start("sleeper", PrivDrop.of("", ""), Contain.ONLINE, List.of("/bin/sleep", "60"), tmp,
                ProcessBuilder.Redirect.from(new File("/dev/null")), ProcessBuilder.Redirect.DISCARD);
        assertTrue(c.process().isAlive());
        cleanup.runAll();
        assertFalse(c.process().isAlive());
        assertThrows(Fatal.class, () -> spawner.start("late", PrivDrop.of("", ""), Contain.ONLINE, List.of("/bin/sleep", "60"), tmp,
                ProcessBuilder.Redirect.from(new File("/dev/null")), ProcessBuilder.Redirect.DISCARD));
    }

    @Test
    void cleanupStopsStrayDescendants() throws Exception {
        Process stray = new ProcessBuilder("/bin/sleep", "60").start();
        cleanup.runAll();
        assertFalse(stray.isAlive(), "a descendant nobody registered is stopped too");
    }

    @Test
    void aDeadChildsSocketReachesEofHere() throws Exception {
        var pair = org.newsclub.net.unix.AFUNIXSocketPair.open();
        try (Fds.Duplex stdio = Fds.duplex(pair.getSocket2().getFileDescriptor())) {
            spawner.start("short-lived", PrivDrop.of("", ""), Contain.ONLINE, List.of("/bin/sleep", "0.2"), tmp, stdio.in, stdio.out);
        }
        var mine = pair.getSocket1();
        mine.socket().setSoTimeout(10_000);
        long t0 = System.nanoTime();
        assertEquals(-1, mine.socket().getInputStream().read(), "EOF once the child is gone");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "no copy of the child's end is left in this process");
    }

    @Test
    void emptyCommandIsAnError() {
        assertEquals("Empty webserver command", assertThrows(Fatal.class, () -> Spawner.split(" ", "webserver")).getMessage());
    }
}
