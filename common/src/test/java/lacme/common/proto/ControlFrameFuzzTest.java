package lacme.common.proto;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes control frames as the master reads them from the (unprivileged, possibly hostile)
 * client: the input is the whole byte stream of the channel, read frame by frame until
 * end of stream. Contract of the reader: each call returns a frame with a string
 * {@code op}, or null at end of stream on a frame boundary, or throws
 * {@link ProtocolException} (never another exception); it never allocates much more than
 * {@link ControlCodec#MAX_FRAME} plus what the bytes themselves justify. {@link #readFrame}
 * is the one line to repoint when the channel gets typed messages.
 */
class ControlFrameFuzzTest {
    /** Per frame: the body buffer (MAX_FRAME), JSON parsing and first-call class loading, generously. */
    private static final long ALLOWANCE = 2L * ControlCodec.MAX_FRAME + (4 << 20);

    static {
        // load and initialise everything once, so that the first input is measured like the others
        try {
            read("\0\0\0\u000f{\"op\":\"result\"}\0\0\0\u0001x".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                    Long.MAX_VALUE);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The reader under test. */
    static Object readFrame(InputStream in) throws IOException {
        return ControlCodec.read(in);
    }

    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    @DictionaryEntries({"\\x00\\x00\\x00", "{\"op\":\"result\"}", "\"op\"", "\"ok\":true", "\"chain\":"})
    void read(byte[] data) throws Exception {
        read(data, ALLOWANCE + 64L * data.length);
    }

    private static void read(byte[] data, long allowance) throws Exception {
        InputStream in = new ByteArrayInputStream(data);
        for (int frames = 0; frames <= data.length / 4; frames++) {
            Object[] frame = new Object[1];
            long bytes;
            try {
                bytes = Allocation.measure(() -> frame[0] = readFrame(in));
            } catch (ProtocolException e) {
                return;
            }
            assertTrue(bytes <= allowance, () -> "allocated " + bytes + " bytes");
            if (frame[0] == null) {
                assertTrue(in.read() < 0, "null before the end of the stream");
                return;
            }
            assertInstanceOf(String.class, ((Map<?, ?>) frame[0]).get("op"));
        }
        throw new AssertionError("more frames than the input can hold");
    }
}
