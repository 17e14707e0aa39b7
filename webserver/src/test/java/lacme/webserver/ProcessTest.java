package lacme.webserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webserver as a process, in each way it can be started: fd 0 (TCP v4, v6, UNIX),
 * systemd socket activation, lacme 0.8.2's FD argument. Each test stops what it starts.
 */
class ProcessTest {
    static final String TOKEN = "Tok_en-42";
    static final String KEYAUTH = TOKEN + ".account_thumbprint";

    @TempDir
    Path dir;

    void writeToken() throws Exception {
        Files.writeString(dir.resolve(TOKEN), KEYAUTH);
    }

    /** GET, HEAD and a 404 through {@code addr}, then SIGTERM: the process must exit. */
    void exercise(ServerProcess p, SocketAddress addr) throws Exception {
        Probe ok = Probe.send(addr, ("GET " + RequestHead.ROOT + TOKEN + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), 20_000); // the first waits for the JVM
        assertEquals(200, ok.status(), ok + "\n" + p.stderr());
        assertEquals(KEYAUTH, ok.body());
        Probe head = Probe.send(addr, "HEAD " + RequestHead.ROOT + TOKEN + " HTTP/1.0\r\n\r\n");
        assertEquals(200, head.status(), head.toString());
        assertEquals("", head.body());
        assertEquals(404, Probe.send(addr, "GET " + RequestHead.ROOT + "nope HTTP/1.0\r\n\r\n").status());
        long t0 = System.nanoTime();
        assertTrue(p.terminate(10), "exits on SIGTERM");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 5000, "exited in " + ms + " ms");
        String err = p.stderr();
        assertFalse(err.contains("Exception"), err);
    }

    /** The webserver command run as the last words of {@code sh -c SCRIPT sh ...}. */
    static List<String> viaShell(String script) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        cmd.addAll(ServerProcess.java());
        return cmd;
    }

    /** An HTTP/1.0 GET of the test token. */
    static Probe getToken(SocketAddress a) throws Exception {
        return Probe.send(a, ("GET " + RequestHead.ROOT + TOKEN + " HTTP/1.0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), 20_000);
    }

    ServerSocketChannel tcp(InetAddress a) throws Exception {
        return ServerSocketChannel.open(a.getAddress().length == 4 ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6).bind(new InetSocketAddress(a, 0), 50);
    }

    @Test
    void tcpOnFd0() throws Exception {
        writeToken();
        try (ServerSocketChannel l = tcp(InetAddress.getByName("127.0.0.1"));
                ServerProcess p = ServerProcess.start(ServerProcess.java() , l, dir, Map.of())) {
            exercise(p, l.getLocalAddress());
        }
    }

    /**
     * The master stops the webserver with SIGTERM and waits for it: HotSpot's exit waits 300 ms
     * or more for threads in native code (the serving loop in epoll_wait) unless the loop has
     * ended first. Measured 0.32 s before the stop hook, ~0.01-0.03 s with it.
     */
    @Test
    void managedModeExitsPromptlyOnSigterm() throws Exception {
        writeToken();
        try (ServerSocketChannel l = tcp(InetAddress.getByName("127.0.0.1"));
                ServerProcess p = ServerProcess.start(ServerProcess.java(), l, dir, Map.of())) {
            assertEquals(200, getToken(l.getLocalAddress()).status(), p.stderr());
            long t0 = System.nanoTime();
            assertTrue(p.terminate(10), "exits on SIGTERM");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 300, "SIGTERM to exit took " + ms + " ms (HotSpot's 300 ms wait for threads in native)");
        }
    }

    @Test
    void debugLogsOneLinePerRequest() throws Exception {
        writeToken();
        List<String> cmd = new ArrayList<>(ServerProcess.java());
        cmd.add("--debug");
        try (ServerSocketChannel l = tcp(InetAddress.getByName("127.0.0.1"));
                ServerProcess p = ServerProcess.start(cmd, l, dir, Map.of())) {
            exercise(p, l.getLocalAddress());
            String err = p.stderr();
            assertTrue(err.contains("\"GET " + RequestHead.ROOT + TOKEN + "\" 200"), err);
            assertTrue(err.contains("\"GET " + RequestHead.ROOT + "nope\" 404"), err);
            assertFalse(err.contains(KEYAUTH), "never logs file contents");
        }
    }

    @Test
    void ipv6OnFd0() throws Exception {
        writeToken();
        try (ServerSocketChannel l = tcp(InetAddress.getByName("::1"));
                ServerProcess p = ServerProcess.start(ServerProcess.java(), l, dir, Map.of())) {
            exercise(p, l.getLocalAddress());
        }
    }

    @Test
    void unixSocketOnFd0() throws Exception {
        writeToken();
        Path sock = Files.createTempDirectory("lacme-www").resolve("www.socket");
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(sock));
                ServerProcess p = ServerProcess.start(ServerProcess.java(), l, dir, Map.of())) {
            exercise(p, UnixDomainSocketAddress.of(sock));
        } finally {
            Files.deleteIfExists(sock);
            Files.delete(sock.getParent());
        }
    }

    @Test
    void systemdSocketActivation() throws Exception {
        writeToken();
        List<String> cmd = viaShell("exec 3<&0 0</dev/null; export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$@\"");
        try (ServerSocketChannel l = tcp(InetAddress.getByName("127.0.0.1"));
                ServerProcess p = ServerProcess.start(cmd, l, dir, Map.of())) {
            exercise(p, l.getLocalAddress());
        }
    }

    @Test
    void systemdWithStandardInputSocketNeedsNoChild() throws Exception {
        writeToken();
        List<String> cmd = viaShell("exec 3<&0; export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$@\"");
        try (ServerSocketChannel l = tcp(InetAddress.getByName("127.0.0.1"));
                ServerProcess p = ServerProcess.start(cmd, l, dir, Map.of())) {
            Probe ok = getToken(l.getLocalAddress());
            assertEquals(200, ok.status(), ok.toString());
            assertEquals(0, p.process.descendants().count(), "fd 0 served directly");
            exercise(p, l.getLocalAddress());
        }
    }

    @Test
    void lacme082CallingConvention() throws Exception {
        writeToken();
        List<String> cmd = viaShell("exec 4<&0 0</dev/null; exec \"$@\" 4");
        try (ServerSocketChannel l = tcp(InetAddress.getByName("127.0.0.1"));
                ServerProcess p = ServerProcess.start(cmd, l, dir, Map.of("DEBUG", "1"))) {
            exercise(p, l.getLocalAddress());
            assertTrue(p.stderr().contains("\" 200"), "DEBUG=1 turns on debug logging");
        }
    }

    @Test
    void exitsWhenItsParentIsGone() throws Exception {
        writeToken();
        List<String> cmd = viaShell("exec 3<&0; \"$@\" <&3 3<&- & wait");
        try (ServerSocketChannel l = tcp(InetAddress.getByName("127.0.0.1"));
                ServerProcess p = ServerProcess.start(cmd, l, dir, Map.of())) {
            Probe ok = getToken(l.getLocalAddress());
            assertEquals(200, ok.status(), ok.toString());
            ProcessHandle java = p.process.descendants().findFirst().orElseThrow();
            p.process.destroyForcibly(); // SIGKILL to the parent: no chance to clean up
            assertTrue(java.onExit().completeOnTimeout(null, 15, TimeUnit.SECONDS).join() != null
                    || !java.isAlive(), "webserver exits after its parent died");
        }
    }

    @Test
    void refusesWhenFd0IsNotASocket() throws Exception {
        try (ServerProcess p = ServerProcess.start(ServerProcess.java(), null, dir, Map.of())) {
            assertTrue(p.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(1, p.process.exitValue());
            assertTrue(p.stderr().contains("fd 0 is not a listening socket"), p.stderr());
        }
    }
}
