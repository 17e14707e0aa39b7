package lacme.webserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import lacme.common.os.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Standalone mode ({@code --listen --dir --timeout}), the lehttpd use case. Run as root
 * (as CI does): the server binds, then serves from a child running as _lacme-www through
 * setpriv. The class path is copied where _lacme-www can read it.
 */
class StandaloneTest {
    static final String TOKEN = "standalone_token";
    static Path base;
    static Path dir;
    static String classPath;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(WebserverMain.isRoot(), "needs root");
        assumeTrue(lacme.common.config.Passwd.user("_lacme-www").isPresent(), "needs _lacme-www");
        base = Files.createTempDirectory("lacme-standalone");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cp = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = base.resolve("cp" + i++ + (Files.isDirectory(src) ? "" : ".jar"));
            copy(src, dst);
            cp.add(dst.toString());
        }
        classPath = String.join(File.pathSeparator, cp);
        dir = Files.createDirectory(base.resolve("challenges"));
        Files.writeString(dir.resolve(TOKEN), TOKEN + ".thumb");
        run("chmod", "-R", "a+rX", base.toString());
    }

    static void copy(Path src, Path dst) throws IOException {
        if (!Files.isDirectory(src)) {
            Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    static void run(String... cmd) throws Exception {
        assertEquals(0, new ProcessBuilder(cmd).inheritIO().start().waitFor());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (base != null) {
            run("rm", "-rf", base.toString());
        }
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Fds.JVM_OPTION, "-cp", classPath, WebserverMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static String status(long pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/status"));
    }

    static Probe get(java.net.SocketAddress addr) throws Exception {
        return Probe.send(addr, ("GET " + RequestHead.ROOT + TOKEN + " HTTP/1.0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), 20_000);
    }

    static String awaitLog(ServerProcess p, Pattern pattern) throws Exception {
        for (int i = 0; i < 200; i++) {
            Matcher m = pattern.matcher(p.stderr());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + pattern + " in " + p.stderr());
    }

    @Test
    void rootBindsThenServesUnprivilegedOnUnixSocketAndExitsAfterTimeout() throws Exception {
        Path sock = base.resolve("www.socket");
        try (ServerProcess p = ServerProcess.start(command("--listen", sock.toString(), "--dir",
                dir.toString(), "--timeout", "5"), null, base, Map.of())) {
            awaitLog(p, Pattern.compile("serving .* on (/\\S+)"));
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            Probe ok = get(UnixDomainSocketAddress.of(sock));
            assertEquals(200, ok.status(), ok + p.stderr());
            // the relaunched JVM, below the containment's unshare (Contain)
            ProcessHandle child = p.process.descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst().orElseThrow();
            String st = status(child.pid());
            Path ns = Path.of("/proc", Long.toString(child.pid()), "ns");
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")), Files.readSymbolicLink(ns.resolve("net")),
                    "the relaunched webserver has no network of its own");
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")), Files.readSymbolicLink(ns.resolve("pid")),
                    "nor the standalone process' PID namespace");
            // Ids differ between machines (adduser --system picks the first free one): look them up.
            long uid = lacme.common.config.Passwd.user("_lacme-www").orElseThrow().uid();
            long gid = lacme.common.config.Passwd.gid("nogroup").orElseThrow();
            assertTrue(st.matches("(?s).*\nUid:\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "\n.*"), st);
            assertTrue(st.matches("(?s).*\nGid:\\s+" + gid + "\\s+" + gid + "\\s+" + gid + "\\s+" + gid + "\n.*"), st);
            assertTrue(st.matches("(?s).*\nGroups:\\s+" + gid + "\\s*\n.*"), st);
            assertTrue(st.contains("NoNewPrivs:\t1"), st);
            assertTrue(st.contains("CapEff:\t0000000000000000"), st);
            assertTrue(st.contains("CapBnd:\t0000000000000000"), st);
            assertTrue(p.process.waitFor(20, TimeUnit.SECONDS), "exits after --timeout");
            assertEquals(0, p.process.exitValue(), p.stderr());
            assertFalse(child.isAlive());
            assertFalse(Files.exists(sock), "socket file removed");
        }
    }

    @Test
    void rootOnTcpStopsChildOnSigterm() throws Exception {
        try (ServerProcess p = ServerProcess.start(command("--listen", "127.0.0.1:0", "--dir",
                dir.toString(), "--timeout", "0"), null, base, Map.of())) {
            int port = Integer.parseInt(awaitLog(p, Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)")));
            Probe ok = get(new InetSocketAddress("127.0.0.1", port));
            assertEquals(200, ok.status(), ok + p.stderr());
            assertTrue(p.terminate(10), "parent and child exit on SIGTERM");
        }
    }

    @Test
    void unprivilegedServesInProcessAndExitsAfterTimeout() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=_lacme-www", "--regid=nogroup",
                "--clear-groups", "--"));
        cmd.addAll(command("--listen", "127.0.0.1:0", "--dir", dir.toString(), "--timeout", "3"));
        try (ServerProcess p = ServerProcess.start(cmd, null, base, Map.of())) {
            int port = Integer.parseInt(awaitLog(p, Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)")));
            Probe ok = get(new InetSocketAddress("127.0.0.1", port));
            assertEquals(200, ok.status(), ok + p.stderr());
            assertEquals(0, p.process.descendants().count(), "no child when not root");
            assertTrue(p.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, p.process.exitValue(), p.stderr());
        }
    }

    @Test
    void refusesToServeAsRoot() throws Exception {
        try (ServerProcess p = ServerProcess.start(command("--listen", "127.0.0.1:0", "--dir",
                dir.toString(), "--user", ""), null, base, Map.of())) {
            assertTrue(p.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(2, p.process.exitValue());
            assertTrue(p.stderr().contains("refusing to serve as root"), p.stderr());
        }
    }

    @Test
    void usageErrors() throws Exception {
        for (String[] args : new String[][] {{"--listen", "localhost:80", "--dir", "/"},
            {"--listen", "127.0.0.1:0"}, {"--listen", "127.0.0.1:0", "--dir", "/nonexistent"},
            {"--dir", "/"}, {"--bogus"}}) {
            try (ServerProcess p = ServerProcess.start(command(args), null, base, Map.of())) {
                assertTrue(p.process.waitFor(20, TimeUnit.SECONDS));
                assertEquals(2, p.process.exitValue(), String.join(" ", args) + ": " + p.stderr());
            }
        }
    }
}
