package lacme.master.spawn;

import lacme.common.os.Contain;
import lacme.common.os.Setpriv;
import lacme.master.Cleanup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Contain} through the master's real spawning code and privilege drop (root only):
 * no terminal to inject into, nothing outlives the child, no network for the webserver.
 */
class ContainTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void root() {
        Assumptions.assumeTrue(Setpriv.currentUid() == 0, "namespaces and setpriv need root");
    }

    /** Runs {@link ContainProbe} under python3's pty (a controlling terminal), returns what its child saw. */
    private String probe(boolean session) throws Exception {
        Path out = tmp.resolve("probe-" + session);
        Files.createFile(out);
        Files.setPosixFilePermissions(out, java.util.Set.of(java.nio.file.attribute.PosixFilePermission.values()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-c",
                "import pty,sys; pty.spawn(sys.argv[1:])", java, "-cp", System.getProperty("java.class.path"),
                ContainProbe.class.getName(), Boolean.toString(session), out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("pty.log").toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe finished");
        return Files.readString(out).strip();
    }

    @Test
    void aChildInItsOwnSessionHasNoTerminalToInjectInto() throws Exception {
        String shared = probe(false);
        // the control: in root's session the very same child injects (so this test can fail)
        assertEquals("injected", shared, "without a session of its own, TIOCSTI works");
        String own = probe(true);
        assertTrue(own.startsWith("no-tty"), "own session: no /dev/tty, got " + own);
    }

    private String run(Contain contain, String script) throws Exception {
        Cleanup cleanup = new Cleanup(LoggerFactory.getLogger("test"));
        Spawner spawner = new Spawner(cleanup, LoggerFactory.getLogger("test"));
        Path out = tmp.resolve("out" + System.nanoTime());
        try {
            Spawner.Child c = spawner.start("sh", PrivDrop.of("nobody", "nogroup"), contain,
                    List.of("/bin/bash", "-c", script), Path.of("/"),
                    ProcessBuilder.Redirect.from(new File("/dev/null")), ProcessBuilder.Redirect.to(out.toFile()));
            spawner.waitFor(c, 20_000);
        } finally {
            cleanup.runAll();
        }
        return Files.readString(out);
    }

    private static boolean sleeperAlive(String marker) throws Exception {
        try (var s = Files.list(Path.of("/proc"))) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(marker);
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    void aDoubleForkedGrandchildDiesWithTheChild() throws Exception {
        String marker = "3" + (System.nanoTime() % 100000) + ".25";
        // the grandchild leaves the child's session and process group: only the namespace holds it
        run(Contain.ONLINE, "setsid /bin/sleep " + marker + " </dev/null >/dev/null 2>&1 & sleep 0.5; echo started");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sleeperAlive("sleep\0" + marker) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(sleeperAlive("sleep\0" + marker), "the double-forked grandchild outlived the child");
    }

    @Test
    void anOfflineChildHasAnEmptyNetworkNamespace() throws Exception {
        try (ServerSocket srv = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String probe = "readlink /proc/self/ns/net; if exec 3<>/dev/tcp/127.0.0.1/" + srv.getLocalPort()
                    + "; then echo connected; else echo refused; fi";
            String online = run(Contain.ONLINE, probe);
            String offline = run(Contain.OFFLINE, probe);
            String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            assertTrue(online.contains("connected"), "control: the client's network works: " + online);
            assertFalse(offline.contains(mine), "own network namespace: " + offline);
            assertTrue(offline.contains("refused"), "no outbound connection: " + offline);
            assertNotEquals(online, offline);
        }
    }
}
