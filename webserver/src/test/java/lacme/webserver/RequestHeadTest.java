package lacme.webserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The head parser and the listen-address syntax, without sockets. */
class RequestHeadTest {
    static RequestHead.Verdict whole(byte[] b) {
        RequestHead h = new RequestHead(Limits.DEFAULT);
        RequestHead.Verdict v = null;
        for (int off = 0; off < b.length && v == null && h.room() > 0;) {
            int n = Math.min(b.length - off, h.room());
            v = h.offer(ByteBuffer.wrap(b, off, n));
            off += n;
        }
        return v;
    }

    static RequestHead.Verdict trickled(byte[] b) {
        RequestHead h = new RequestHead(Limits.DEFAULT);
        RequestHead.Verdict v = null;
        for (int i = 0; i < b.length && v == null; i++) {
            v = h.offer(ByteBuffer.wrap(b, i, 1));
        }
        return v;
    }

    /** Byte-at-a-time delivery decides exactly as one read does, for every hostile case. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lacme.webserver.HostileRequestTest#hostile")
    void trickledBytesGetTheSameVerdict(String name, byte[] request, Set<Integer> expected) {
        RequestHead.Verdict a = whole(request);
        RequestHead.Verdict b = trickled(request);
        assertEquals(a == null ? null : a.status(), b == null ? null : b.status(), name);
    }

    @Test
    void incompleteHeadWaits() {
        assertNull(whole("GET /.well-known/acme-challenge/x HTTP/1.1\r\nHost: x\r\n"
                .getBytes(StandardCharsets.US_ASCII)));
        assertNull(whole("GET /.well-known/acme-chall".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void servesOnlyTokens() {
        RequestHead.Verdict v = whole(("HEAD /.well-known/acme-challenge/a-B_9 HTTP/1.0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(RequestHead.SERVE, v.status());
        assertEquals("a-B_9", v.token());
        assertEquals(true, v.isHead());
        v = whole(("GET /.well-known/acme-challenge/" + "a".repeat(256) + " HTTP/1.0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(403, v.status(), "token longer than a file name");
    }

    @Test
    void earlyRefusalBeforeTheLineEnds() {
        RequestHead h = new RequestHead(Limits.DEFAULT);
        assertEquals(400, h.offer(ByteBuffer.wrap(new byte[] {0x16, 0x03, 0x01})).status());
    }

    /**
     * Fuzzing finding: a field line ending in a bare LF was refused (400) when it arrived in the
     * same read as the request line, but left waiting for more bytes (then 431 or 408) when it
     * arrived later.
     */
    @Test
    void bareLfFieldLineIsRefusedAtOnceHoweverTheBytesArrive() {
        byte[] line = "GET /.well-known/acme-challenge/abc HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] rest = "Host: a\r\nUser-Agent: x\n".getBytes(StandardCharsets.US_ASCII);
        RequestHead h = new RequestHead(Limits.DEFAULT);
        assertNull(h.offer(ByteBuffer.wrap(line)));
        RequestHead.Verdict v = h.offer(ByteBuffer.wrap(rest));
        assertEquals(400, v == null ? null : v.status());
        assertEquals(400, trickled((new String(line, StandardCharsets.US_ASCII)
                + new String(rest, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII)).status());
    }
}
