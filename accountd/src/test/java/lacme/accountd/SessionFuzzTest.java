package lacme.accountd;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import lacme.common.proto.AccountdCodec;
import lacme.common.proto.ProtocolException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes accountd's signing input end to end: the raw bytes a peer sends go through
 * {@link Session#serve} (line reader, {@link SigningPolicy}, signing, logging) with a real
 * P-256 key. The first byte picks the form of the rest: odd, it is taken as a JWS
 * protected header's JSON and sent as {@code b64url(rest).e30}, so the fuzzer reaches the
 * policy's JSON checks instead of stopping at base64url; even, the rest is sent as is.
 * Contract: serve never throws and ends in EOF or REFUSED; accountd answers exactly the
 * lines the policy accepts, in order, up to the first refused one, each with one
 * signature line and nothing else; every log line is one printable line (no control,
 * line-separator or bidi characters from the peer).
 */
class SessionFuzzTest {
    private static final AccountLog LOG = new AccountLog(false);
    private static AccountKey key;
    private static Path logFile;
    private static FileChannel logChannel;

    @BeforeAll
    static void setUp() throws Exception {
        key = AccountKeyTest.load(TestKeys.get("p256-sec1"), n -> null);
        logFile = Files.createTempFile("session-fuzz", ".log");
        LOG.setQuiet(true);
        LOG.openFile(logFile);
        logChannel = FileChannel.open(logFile, StandardOpenOption.WRITE);
    }

    @AfterAll
    static void tearDown() throws Exception {
        logChannel.close();
        Files.deleteIfExists(logFile);
    }

    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    @DictionaryEntries({"\"alg\":\"ES256\"", "\"nonce\":\"n\"", "\"url\":\"https://ca/\"", "\"kid\":\"k\"",
            "\"jwk\":{}", "\"alg\":", "\\r\\n"})
    void serve(byte[] data) throws Exception {
        if (data.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        byte[] wire = (data[0] & 1) == 0 ? rest
                : (Base64.getUrlEncoder().withoutPadding().encodeToString(rest) + ".e30\r\n")
                        .getBytes(StandardCharsets.US_ASCII);

        logChannel.truncate(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Session.End end = new Session(key, null, LOG).serve(new ByteArrayInputStream(wire), out, "fuzz");

        int accepted = acceptedLines(wire);
        assertEquals(accepted < 0 ? Session.End.EOF : Session.End.REFUSED, end);
        String[] answer = out.toString(StandardCharsets.ISO_8859_1).split("\r\n", -1);
        int signatures = answer.length - 3; // greeting, JWK, then one line per signature, then ""
        assertEquals(accepted < 0 ? -1 - accepted : accepted, signatures);
        for (int i = 2; i < answer.length - 1; i++) {
            assertTrue(!answer[i].isEmpty() && AccountdCodec.isBase64Url(answer[i]), answer[i]);
        }
        String log = Files.readString(logFile, StandardCharsets.UTF_8);
        for (String line : log.split("\n")) {
            assertTrue(line.codePoints().allMatch(SessionFuzzTest::printable), () -> "log line " + line);
        }
    }

    /**
     * How many lines the policy accepts before the first refused one, or {@code -1 - n}
     * when all {@code n} lines are accepted (the session then ends at EOF).
     */
    private static int acceptedLines(byte[] wire) throws Exception {
        SigningPolicy policy = new SigningPolicy(key.alg().getName());
        InputStream in = new ByteArrayInputStream(wire);
        for (int n = 0;; n++) {
            String line;
            try {
                line = AccountdCodec.readLine(in);
            } catch (ProtocolException e) {
                return n;
            }
            if (line == null) {
                return -1 - n;
            }
            try {
                policy.check(line);
            } catch (SigningPolicy.Refusal r) {
                return n;
            }
        }
    }

    private static boolean printable(int c) {
        int t = Character.getType(c);
        return t != Character.CONTROL && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR
                && !(c >= 0x202a && c <= 0x202e) && !(c >= 0x2066 && c <= 0x2069) && c != 0x200e && c != 0x200f;
    }
}
