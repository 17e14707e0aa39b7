package lacme.webserver;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the webserver's request-head parser, the first code an internet peer reaches.
 * The first input byte picks the limits and the size of the pieces the bytes arrive in;
 * the rest is the connection's bytes. Contract: a verdict is reached at the latest when
 * the head is full ({@link RequestHead#room()} 0, else the selector would spin on a
 * connection it can no longer read); it does not depend on how the bytes were split;
 * only GET/HEAD of a well-formed token under {@link RequestHead#ROOT} is served; what
 * is logged is printable ASCII of bounded length; statuses are the documented ones.
 */
class RequestHeadFuzzTest {
    private static final Limits SMALL = new Limits(96, 3, 4096, Duration.ofSeconds(10), 16, 0);
    private static final Set<Integer> STATUSES = Set.of(RequestHead.SERVE, 400, 403, 405, 414, 431, 505);

    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    @DictionaryEntries({"GET ", "HEAD ", " HTTP/1.1\\r\\n", " HTTP/1.0\\r\\n", "Host: a\\r\\n", "\\r\\n\\r\\n",
            "/.well-known/acme-challenge/", "host:"})
    void offer(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Limits limits = (data[0] & 0x80) != 0 ? SMALL : Limits.DEFAULT;
        int piece = 1 + (data[0] & 0x3f);
        byte[] bytes = Arrays.copyOfRange(data, 1, data.length);

        RequestHead.Verdict whole = feed(new RequestHead(limits), bytes, Integer.MAX_VALUE);
        RequestHead.Verdict split = feed(new RequestHead(limits), bytes, piece);
        assertEquals(whole, split, "verdict depends on how the bytes arrived");
        if (whole == null) {
            return;
        }
        assertTrue(STATUSES.contains(whole.status()), () -> "status " + whole.status());
        for (String s : new String[] {whole.method(), whole.target()}) {
            assertTrue(s.length() <= 203 && s.chars().allMatch(c -> c >= 0x20 && c < 0x7f), s);
        }
        if (whole.status() == RequestHead.SERVE) {
            assertTrue(whole.method().equals("GET") || whole.method().equals("HEAD"), whole.method());
            assertTrue(whole.token().matches("[A-Za-z0-9_-]{1,255}"), whole.token());
            assertEquals(RequestHead.ROOT + whole.token(), whole.target());
        } else {
            assertNull(whole.token());
        }
    }

    /** Offers {@code bytes} in pieces as the selector loop does; the first verdict, or null. */
    private static RequestHead.Verdict feed(RequestHead head, byte[] bytes, int piece) {
        int off = 0;
        while (off < bytes.length) {
            int room = head.room();
            assertTrue(room > 0, "no room left and no verdict");
            int n = Math.min(Math.min(piece, room), bytes.length - off);
            ByteBuffer b = ByteBuffer.wrap(bytes, off, n);
            RequestHead.Verdict v = head.offer(b);
            assertEquals(0, b.remaining(), "offer left bytes unread");
            off += n;
            if (v != null) {
                return v;
            }
        }
        assertTrue(head.room() > 0, "head full without a verdict");
        return null;
    }
}
