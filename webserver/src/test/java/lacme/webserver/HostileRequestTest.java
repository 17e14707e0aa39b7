package lacme.webserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Hostile requests against the server running in this JVM on 127.0.0.1: each gets its
 * documented status (or, where the server must stop reading, possibly just a closed
 * connection), never a file it must not serve, and the server keeps serving afterwards.
 */
class HostileRequestTest {
    static final String TOKEN = "good_Token-1";
    static final String KEYAUTH = TOKEN + ".thumbprint_of_the_account_key";
    static final int CLOSED = -1;

    @TempDir
    static Path dir;
    static Server server;

    /** An in-process server on a loopback port, stopped by {@link #close()}. */
    static final class Server implements AutoCloseable {
        final ServerSocketChannel listener;
        final ChallengeServer server;
        final Thread thread;
        final InetSocketAddress addr;

        Server(Path dir, Limits limits) throws IOException {
            listener = ServerSocketChannel.open(StandardProtocolFamily.INET)
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            addr = (InetSocketAddress) listener.getLocalAddress();
            server = new ChallengeServer(listener, dir, limits, LoggerFactory.getLogger("lacme-webserver"));
            thread = new Thread(() -> {
                try {
                    server.serve();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "test-server");
            thread.start();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(5000);
            listener.close();
            assertFalse(thread.isAlive(), "server thread stopped");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(dir.resolve(TOKEN), KEYAUTH);
        Files.write(dir.resolve("big"), new byte[Limits.DEFAULT.maxFileSize() + 1]);
        Files.write(dir.resolve("max"), new byte[Limits.DEFAULT.maxFileSize()]);
        Files.createSymbolicLink(dir.resolve("shadow"), Path.of("/etc/shadow"));
        Files.createSymbolicLink(dir.resolve("alias"), dir.resolve(TOKEN));
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        Files.createDirectory(dir.resolve("subdir"));
        Files.writeString(dir.resolve("subdir").resolve("x"), "nested");
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).start().waitFor());
        server = new Server(dir, Limits.DEFAULT);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: example.org\r\nUser-Agent: test\r\n\r\n";
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static Arguments c(String name, Object request, Integer... statuses) {
        byte[] b = request instanceof String s ? bytes(s) : (byte[]) request;
        return Arguments.of(name, b, Set.of(statuses));
    }

    static Stream<Arguments> hostile() {
        String root = RequestHead.ROOT;
        StringBuilder flood = new StringBuilder("GET " + root + TOKEN + " HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 150; i++) {
            flood.append("X-Flood-").append(i).append(": y\r\n");
        }
        byte[] tls = new byte[517];
        byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
        System.arraycopy(hello, 0, tls, 0, hello.length);
        for (int i = hello.length; i < tls.length; i++) {
            tls[i] = (byte) (i * 31 + 7);
        }
        return Stream.of(
                c("missing token", get(root + "nosuchtoken"), 404),
                c("dangling symlink", get(root + "dangling"), 403, 404),
                c("dot-dot traversal", get(root + "../../../../etc/passwd"), 403),
                c("encoded dot-dot", get(root + "%2e%2e/%2e%2e/etc/passwd"), 403),
                c("encoded slash", get(root + "..%2f..%2fetc%2fpasswd"), 403),
                c("double slash before", get("/" + root + TOKEN), 403),
                c("double slash after", get(root + "/" + TOKEN), 403),
                c("trailing slash", get(root + TOKEN + "/"), 403),
                c("query string", get(root + TOKEN + "?x=1"), 403),
                c("fragment", get(root + TOKEN + "#x"), 403),
                c("empty token", get(root), 403),
                c("challenge dir", get("/.well-known/acme-challenge"), 403),
                c("site root", get("/"), 403),
                c("asterisk", get("*"), 403),
                c("nested file", get(root + "subdir/x"), 403),
                c("directory as token", get(root + "subdir"), 403),
                c("symlink to /etc/shadow", get(root + "shadow"), 403),
                c("symlink to a token", get(root + "alias"), 403),
                c("FIFO", get(root + "fifo"), 403),
                c("file over the cap", get(root + "big"), 403),
                c("absolute URI", get("http://example.org" + root + TOKEN), 403),
                c("absolute URI, other host", get("http://127.0.0.1:1" + root + TOKEN), 403),
                c("POST", "POST " + root + TOKEN + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 405),
                c("PUT", "PUT " + root + TOKEN + " HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                c("lower-case get", "get " + root + TOKEN + " HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                c("CONNECT", "CONNECT example.org:443 HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                c("HTTP/1.1 without Host", "GET " + root + TOKEN + " HTTP/1.1\r\n\r\n", 400),
                c("two Host fields", "GET " + root + TOKEN + " HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                c("HTTP/0.9", "GET " + root + TOKEN + "\r\n\r\n", 400),
                c("HTTP/1.2", "GET " + root + TOKEN + " HTTP/1.2\r\nHost: x\r\n\r\n", 505),
                c("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
                c("bad version", "GET " + root + TOKEN + " HTTP/1.1x\r\nHost: x\r\n\r\n", 400),
                c("double space", "GET  " + root + TOKEN + " HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                c("bare LF", "GET " + root + TOKEN + " HTTP/1.1\nHost: x\n\n", 400),
                c("bare LF in headers", "GET " + root + TOKEN + " HTTP/1.1\r\nHost: x\n\n", 400),
                c("NUL in request line", "GET " + root + "good\0" + " HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                c("NUL in header", "GET " + root + TOKEN + " HTTP/1.1\r\nHost: x\0y\r\n\r\n", 400),
                c("NUL bytes only", new byte[4096], 400),
                c("obs-fold", "GET " + root + TOKEN + " HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
                c("space before colon", "GET " + root + TOKEN + " HTTP/1.1\r\nHost : x\r\n\r\n", 400),
                c("non-ASCII target", "GET " + root + "t\u00e9st HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                c("TLS ClientHello", tls, 400),
                c("header flood", flood.append("\r\n").toString(), 431),
                c("one huge header", "GET " + root + TOKEN + " HTTP/1.1\r\nHost: x\r\nX: "
                        + "a".repeat(10_000) + "\r\n\r\n", 431, CLOSED),
                c("1 MB request line", "GET /" + "a".repeat(1 << 20) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                        414, CLOSED),
                c("empty line only", "\r\n\r\n", 400),
                c("connect and close", "", CLOSED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileRequest(String name, byte[] request, Set<Integer> expected) throws Exception {
        Probe p = Probe.send(server.addr, request);
        assertTrue(expected.contains(p.status()), name + ": got " + p);
        if (p.status() > 0) {
            checkWellFormed(p, false);
            assertEquals("0", p.headers().get("content-length"), name);
            assertFalse(p.body().contains("root:"), name);
            assertEquals(1, p.responses(), name);
        }
        assertServes();
    }

    static void checkWellFormed(Probe p, boolean head) {
        var h = p.headers();
        assertEquals("close", h.get("connection"), p.toString());
        assertTrue(h.containsKey("date"), p.toString());
        if (!head) {
            assertEquals(Integer.parseInt(h.get("content-length")),
                    p.body().getBytes(StandardCharsets.ISO_8859_1).length, p.toString());
        }
    }

    static void assertServes() throws Exception {
        Probe p = Probe.send(server.addr, get(RequestHead.ROOT + TOKEN));
        assertEquals(200, p.status(), p.toString());
        assertEquals(KEYAUTH, p.body());
    }

    @Test
    void getServesTheKeyAuthorization() throws Exception {
        Probe p = Probe.send(server.addr, get(RequestHead.ROOT + TOKEN));
        assertEquals(200, p.status(), p.toString());
        checkWellFormed(p, false);
        assertEquals(Responses.CONTENT_TYPE, p.headers().get("content-type"));
        assertEquals(KEYAUTH, p.body());
    }

    @Test
    void headHasLengthButNoBody() throws Exception {
        Probe p = Probe.send(server.addr, "HEAD " + RequestHead.ROOT + TOKEN + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, p.status(), p.toString());
        checkWellFormed(p, true);
        assertEquals(Integer.toString(KEYAUTH.length()), p.headers().get("content-length"));
        assertEquals("", p.body());
    }

    @Test
    void http10WithoutHostAndFileAtTheCap() throws Exception {
        Probe p = Probe.send(server.addr, "GET " + RequestHead.ROOT + "max HTTP/1.0\r\n\r\n");
        assertEquals(200, p.status(), p.toString());
        assertEquals(Limits.DEFAULT.maxFileSize(), p.body().length());
    }

    @Test
    void methodNotAllowedNamesTheAllowedOnes() throws Exception {
        Probe p = Probe.send(server.addr, "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(405, p.status(), p.toString());
        assertEquals("GET, HEAD", p.headers().get("allow"));
    }

    @Test
    void pipelinedRequestsGetOneResponse() throws Exception {
        String one = get(RequestHead.ROOT + TOKEN);
        Probe p = Probe.send(server.addr, one + one + get(RequestHead.ROOT + "nosuchtoken"));
        assertEquals(200, p.status(), p.toString());
        assertEquals(1, p.responses(), p.toString());
        assertEquals(KEYAUTH, p.body());
        assertFalse(p.reset, "lingering close: no reset");
    }

    @Test
    void requestWithBodyIsServed() throws Exception {
        Probe p = Probe.send(server.addr, "GET " + RequestHead.ROOT + TOKEN
                + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        assertEquals(200, p.status(), p.toString());
        assertFalse(p.reset);
    }

    @Test
    void idleAndSlowConnectionsDoNotDelayOthers() throws Exception {
        List<java.nio.channels.SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                var ch = java.nio.channels.SocketChannel.open(server.addr);
                if (i % 2 == 0) {
                    ch.write(java.nio.ByteBuffer.wrap(bytes("GET " + RequestHead.ROOT)));
                }
                idle.add(ch);
            }
            for (int i = 0; i < 20; i++) {
                Probe p = Probe.send(server.addr, bytes(get(RequestHead.ROOT + TOKEN)), 1000);
                assertEquals(200, p.status(), p.toString());
            }
        } finally {
            for (var ch : idle) {
                ch.close();
            }
        }
    }

    @Test
    void slowRequestTimesOutWith408() throws Exception {
        try (Server s = new Server(dir, Limits.DEFAULT.withReadTimeout(java.time.Duration.ofMillis(500)))) {
            long t0 = System.nanoTime();
            try (var ch = java.nio.channels.SocketChannel.open(s.addr)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes("GET " + RequestHead.ROOT + TOKEN + " HTTP/1.1\r\n")));
                var in = java.nio.channels.Channels.newInputStream(ch);
                String got = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(got.startsWith("HTTP/1.1 408 "), got);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 400 && ms < 3000, "timed out after " + ms + " ms");
            Probe p = Probe.send(s.addr, get(RequestHead.ROOT + TOKEN));
            assertEquals(200, p.status(), p.toString());
        }
    }

    @Test
    void connectionLimitDropsTheOldest() throws Exception {
        try (Server s = new Server(dir, Limits.DEFAULT.withMaxConnections(8))) {
            List<java.nio.channels.SocketChannel> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    idle.add(java.nio.channels.SocketChannel.open(s.addr));
                }
                for (int i = 0; i < 5; i++) {
                    Probe p = Probe.send(s.addr, bytes(get(RequestHead.ROOT + TOKEN)), 2000);
                    assertEquals(200, p.status(), p.toString());
                }
                // the first idle connections were dropped: they read end-of-stream
                var first = idle.get(0);
                first.configureBlocking(true);
                assertEquals(-1, first.read(java.nio.ByteBuffer.allocate(16)));
            } finally {
                for (var ch : idle) {
                    ch.close();
                }
            }
        }
    }
}
