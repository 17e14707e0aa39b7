package lacme.common.proto;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * accountd protocol 1 (docs/protocol/accountd.md) through AccountdCodec: both sides
 * talking over piped streams, and each side facing a hostile or broken peer.
 */
class AccountdCodecTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static final String JWK = "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"sXch\"}";
    private static final String EXTRA = "{\"alg\":\"ES256\",\"jwk-thumbprint\":\"tp\",\"kid\":\"https://ca/acct/1\"}";

    @Test
    void roundTripThroughPipes() throws Exception {
        PipedOutputStream clientOut = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(clientOut, 1 << 17);
        PipedOutputStream serverOut = new PipedOutputStream();
        PipedInputStream clientIn = new PipedInputStream(serverOut, 1 << 17);
        // A toy server: greets, then "signs" by reversing each line, until EOF.
        Future<List<String>> server = pool.submit(() -> {
            List<String> seen = new ArrayList<>();
            try (serverOut) {
                AccountdCodec.writeGreeting(serverOut, EXTRA, JWK);
                String line;
                while ((line = AccountdCodec.readLine(serverIn)) != null) {
                    seen.add(line);
                    AccountdCodec.writeSignature(serverOut, new StringBuilder(line.replace(".", "_")).reverse().toString());
                }
            }
            return seen;
        });
        AccountdCodec.Greeting g = AccountdCodec.readGreeting(clientIn);
        assertEquals(1, g.version());
        assertEquals("ES256", g.alg());
        assertEquals("tp", g.thumbprint());
        assertEquals("https://ca/acct/1", g.kid());
        assertEquals(JWK, g.jwk());
        assertEquals("_ba", AccountdCodec.sign(clientIn, clientOut, "ab."));
        assertEquals("z-y_xc_ba", AccountdCodec.sign(clientIn, clientOut, "ab.cx_y-z"));
        clientOut.close();
        assertEquals(List.of("ab.", "ab.cx_y-z"), server.get(10, TimeUnit.SECONDS));
        assertEquals(-1, clientIn.read());
    }

    @Test
    void greetingWireFormat() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccountdCodec.writeGreeting(out, "{\"alg\":\"RS256\"}", JWK);
        assertEquals("1 OK {\"alg\":\"RS256\"}\r\n" + JWK + "\r\n", out.toString(StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> AccountdCodec.writeGreeting(out, "{\n}", JWK));
        assertThrows(IllegalArgumentException.class, () -> AccountdCodec.writeGreeting(out, "{}", "{\n}"));
        ByteArrayOutputStream sig = new ByteArrayOutputStream();
        AccountdCodec.writeSignature(sig, "c2ln");
        assertEquals("c2ln\r\n", sig.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void lineLengthLimit() throws Exception {
        String max = "A".repeat(AccountdCodec.MAX_LINE);
        assertEquals(max, AccountdCodec.readLine(bytes(max + "\r\n")));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> AccountdCodec.readLine(bytes(max + "A\r\n")));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
        // an endless line is cut off after the limit, not buffered
        InputStream endless = new InputStream() {
            long n;

            @Override
            public int read() {
                return n++ < 10L * AccountdCodec.MAX_LINE ? 'A' : -1;
            }
        };
        assertThrows(ProtocolException.class, () -> AccountdCodec.readLine(endless));
    }

    @Test
    void framingErrors() throws Exception {
        assertThrows(ProtocolException.class, () -> AccountdCodec.readLine(bytes("abc\n")), "bare LF");
        assertThrows(ProtocolException.class, () -> AccountdCodec.readLine(bytes("abc")), "EOF mid-line");
        assertThrows(ProtocolException.class, () -> AccountdCodec.readLine(bytes("abc\r")), "EOF after CR");
        assertNull(AccountdCodec.readLine(bytes("")), "EOF between lines");
        InputStream two = bytes("a\r\n\r\nb\r\n");
        assertEquals("a", AccountdCodec.readLine(two));
        assertEquals("", AccountdCodec.readLine(two));
        assertEquals("b", AccountdCodec.readLine(two));
        assertNull(AccountdCodec.readLine(two));
    }

    @Test
    void hostileGreetings() throws Exception {
        assertThrows(ProtocolException.class, () -> AccountdCodec.readGreeting(bytes("")), "nothing");
        assertThrows(ProtocolException.class, () -> AccountdCodec.readGreeting(bytes("2 OK {}\r\n{}\r\n")), "version 2");
        assertThrows(ProtocolException.class, () -> AccountdCodec.readGreeting(bytes("10 OK {}\r\n{}\r\n")), "version 10");
        assertThrows(ProtocolException.class, () -> AccountdCodec.readGreeting(bytes("1 ERR {}\r\n{}\r\n")));
        assertThrows(ProtocolException.class, () -> AccountdCodec.readGreeting(bytes("1 OK {alg:1}\r\n{}\r\n")), "bad JSON");
        assertThrows(ProtocolException.class, () -> AccountdCodec.readGreeting(bytes("1 OK [1]\r\n{}\r\n")), "not an object");
        assertThrows(ProtocolException.class, () -> AccountdCodec.readGreeting(bytes("1 OK {}\r\n")), "no JWK line");
        assertThrows(ProtocolException.class, () -> AccountdCodec.readGreeting(bytes("1 OK {}\n{}\n")), "bare LF");
        // lacme 0.8.2's defaults: a bare "1 OK" means RS256 and no kid
        AccountdCodec.Greeting g = AccountdCodec.readGreeting(bytes("1 OK\r\n{}\r\n"));
        assertEquals("RS256", g.alg());
        assertNull(g.kid());
        assertNull(g.thumbprint());
        assertNull(AccountdCodec.readGreeting(bytes("1 OK {\"kid\":\"\"}\r\n{}\r\n")).kid(), "empty kid is no kid");
        assertEquals("RS256", AccountdCodec.readGreeting(bytes("1 OK {\"alg\":5}\r\n{}\r\n")).alg());
    }

    @Test
    void hostileSignatures() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        assertEquals("c2ln", AccountdCodec.sign(bytes("c2ln\r\n"), sink, "YQ.Yg"));
        assertEquals("YQ.Yg\r\n", sink.toString(StandardCharsets.US_ASCII));
        ProtocolException closed = assertThrows(ProtocolException.class,
                () -> AccountdCodec.sign(bytes(""), sink, "YQ.Yg"));
        assertTrue(closed.getMessage().contains("lost connection"), closed.getMessage());
        assertThrows(ProtocolException.class, () -> AccountdCodec.sign(bytes("c2+n\r\n"), sink, "YQ.Yg"), "not base64url");
        assertThrows(ProtocolException.class, () -> AccountdCodec.sign(bytes("\r\n"), sink, "YQ.Yg"), "empty");
        assertThrows(ProtocolException.class, () -> AccountdCodec.sign(bytes("c2ln"), sink, "YQ.Yg"), "EOF mid-line");
        assertThrows(ProtocolException.class,
                () -> AccountdCodec.sign(bytes("A".repeat(AccountdCodec.MAX_LINE + 1) + "\r\n"), sink, "YQ.Yg"));
    }

    @Test
    void clientRefusesToSendNonSigningInputs() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        for (String bad : new String[] {"", "abc", ".abc", "a b.c", "a.b\r\nc.d", "a+b.c", "a.b=", "a.b.c"}) {
            assertThrows(IllegalArgumentException.class, () -> AccountdCodec.sign(bytes("x\r\n"), sink, bad), bad);
        }
        assertEquals(0, sink.size(), "nothing was sent");
    }

    @Test
    void base64UrlAlphabet() throws IOException {
        assertTrue(AccountdCodec.isBase64Url(""));
        assertTrue(AccountdCodec.isBase64Url("AZaz09-_"));
        assertFalse(AccountdCodec.isBase64Url("a="));
        assertFalse(AccountdCodec.isBase64Url("a+"));
        assertFalse(AccountdCodec.isBase64Url("a/"));
        assertFalse(AccountdCodec.isBase64Url("a\n"));
        assertFalse(AccountdCodec.isBase64Url("é"));
    }
}
