package lacme.common.proto;

import lacme.common.json.Json;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;

/**
 * The master ⇄ client control channel (docs/protocol/control.md): length-prefixed JSON
 * frames. The reader enforces {@link #MAX_FRAME} before allocating, so a hostile client
 * cannot make the root master allocate more than that.
 */
public final class ControlCodec {
    /** Largest frame body either side accepts. */
    public static final int MAX_FRAME = 1 << 20;

    /** Master → client ops. */
    public static final String HELLO = "hello";
    public static final String ACCOUNT = "account";
    public static final String ORDER = "order";
    public static final String REVOKE = "revoke";
    /** Client → master op. */
    public static final String RESULT = "result";

    private ControlCodec() {
    }

    /** Writes one frame; the object must have a string {@code op}. */
    public static void write(OutputStream out, Map<String, ?> frame) throws IOException {
        if (!(frame.get("op") instanceof String)) {
            throw new IllegalArgumentException("frame without op");
        }
        byte[] body = Json.write(frame).getBytes(StandardCharsets.UTF_8);
        if (body.length > MAX_FRAME) {
            throw new ProtocolException("frame of " + body.length + " bytes exceeds " + MAX_FRAME);
        }
        byte[] buf = new byte[4 + body.length];
        ByteBuffer.wrap(buf).putInt(body.length).put(body);
        out.write(buf);
        out.flush();
    }

    /**
     * Reads one frame.
     *
     * @return the frame, or null on EOF at a frame boundary (the peer's "stop")
     * @throws ProtocolException for a bad length, invalid UTF-8/JSON, a missing op or EOF inside a frame
     */
    public static Map<String, Object> read(InputStream in) throws IOException {
        DataInputStream din = new DataInputStream(in);
        int first = din.read();
        if (first < 0) {
            return null;
        }
        int length;
        byte[] body;
        try {
            byte[] rest = new byte[3];
            din.readFully(rest);
            length = (first << 24) | ((rest[0] & 0xff) << 16) | ((rest[1] & 0xff) << 8) | (rest[2] & 0xff);
            if (length <= 0 || length > MAX_FRAME) {
                throw new ProtocolException("control frame length " + Integer.toUnsignedString(length)
                        + " outside 1.." + MAX_FRAME);
            }
            body = new byte[length];
            din.readFully(body);
        } catch (EOFException e) {
            throw new ProtocolException("control channel closed inside a frame");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("control frame is not UTF-8");
        }
        Map<String, Object> frame;
        try {
            frame = Json.parseObject(text);
        } catch (ParseException e) {
            throw new ProtocolException("control frame is not a JSON object");
        }
        if (!(frame.get("op") instanceof String)) {
            throw new ProtocolException("control frame without a string 'op'");
        }
        return frame;
    }
}
