package lacme.common.proto;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes both readers of the accountd protocol (docs/protocol/accountd.md): the line
 * reader accountd applies to each signing request, and the client's side (greeting, then
 * one signature per request) applied to what a remote accountd sends. Contract: only
 * {@link ProtocolException} (an IOException); a line is never longer than
 * {@link AccountdCodec#MAX_LINE} and holds no LF; a signature is non-empty base64url;
 * allocation stays within a small multiple of the line bound.
 */
class AccountdCodecFuzzTest {
    /** A full line's buffers, plus class loading on the first call: generous, yet far below a leak. */
    private static final long ALLOWANCE = 16L * AccountdCodec.MAX_LINE + (4 << 20);
    private static final String INPUT = "eyJhbGciOiJFUzI1NiJ9.e30";

    static {
        // load and initialise everything once, so that the first input is measured like the others
        for (String warm : new String[] {"1 OK {\"alg\":\"ES256\"}\r\n{}\r\nsig\r\n", "x\n"}) {
            try {
                read(warm.getBytes(java.nio.charset.StandardCharsets.US_ASCII), Long.MAX_VALUE);
            } catch (Exception e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    @DictionaryEntries({"1 OK ", "\\r\\n", "{\"alg\":\"ES256\"}", "\"kid\"", "\"jwk-thumbprint\""})
    void read(byte[] data) throws Exception {
        read(data, ALLOWANCE + 16L * data.length);
    }

    private static void read(byte[] data, long allowance) throws Exception {
        // accountd's side: the request lines
        InputStream in = new ByteArrayInputStream(data);
        try {
            for (int i = 0; i <= data.length; i++) {
                String[] line = new String[1];
                long bytes = Allocation.measure(() -> line[0] = AccountdCodec.readLine(in));
                assertTrue(bytes <= allowance, () -> "allocated " + bytes + " bytes");
                if (line[0] == null) {
                    break;
                }
                assertFalse(line[0].indexOf('\n') >= 0, "LF inside a line");
                assertTrue(line[0].length() <= AccountdCodec.MAX_LINE, "line over MAX_LINE");
            }
        } catch (ProtocolException e) {
            // refused: fine
        }

        // the client's side: greeting, then signatures
        InputStream from = new ByteArrayInputStream(data);
        ByteArrayOutputStream to = new ByteArrayOutputStream();
        try {
            AccountdCodec.Greeting g = AccountdCodec.readGreeting(from);
            assertEquals(AccountdCodec.VERSION, g.version());
            g.alg();
            g.kid();
            g.thumbprint();
            for (int i = 0; i <= data.length; i++) {
                String sig = AccountdCodec.sign(from, to, INPUT);
                assertFalse(sig.isEmpty());
                assertTrue(AccountdCodec.isBase64Url(sig), sig);
            }
        } catch (ProtocolException e) {
            // refused: fine
        }
    }
}
