package lacme.common.proto;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ControlCodecTest {
    private static byte[] frame(int length, byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(length).put(body).array();
    }

    @Test
    void roundTripsSeveralFramesThenEof() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlCodec.write(out, Map.of("op", "order", "id", "1", "identifiers",
                List.of(Map.of("type", "dns", "value", "é.example"))));
        ControlCodec.write(out, Map.of("op", "result", "id", "1", "ok", true));
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        Map<String, Object> a = ControlCodec.read(in);
        assertEquals("order", a.get("op"));
        assertEquals("é.example", ((Map<?, ?>) ((List<?>) a.get("identifiers")).get(0)).get("value"));
        assertEquals(Boolean.TRUE, ControlCodec.read(in).get("ok"));
        assertNull(ControlCodec.read(in), "EOF at a frame boundary means stop");
    }

    @Test
    void refusesHostileFrames() {
        byte[] ok = "{\"op\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        List<byte[]> bad = List.of(
                frame(0, new byte[0]),                                   // empty
                frame(-1, ok),                                           // 4 GiB - 1
                frame(ControlCodec.MAX_FRAME + 1, ok),                   // over the maximum
                frame(ok.length + 5, ok),                                // EOF inside the body
                new byte[] {0, 0},                                       // EOF inside the length
                frame(4, "[1] ".getBytes(StandardCharsets.UTF_8)),       // not an object
                frame(2, "{}".getBytes(StandardCharsets.UTF_8)),         // no op
                frame(8, "{\"op\":1}".getBytes(StandardCharsets.UTF_8)), // op not a string
                frame(3, new byte[] {'{', (byte) 0xc3, '}'}));           // invalid UTF-8
        for (byte[] b : bad) {
            assertThrows(ProtocolException.class, () -> ControlCodec.read(new ByteArrayInputStream(b)));
        }
    }

    @Test
    void refusesToWriteOversizedOrOplessFrames() {
        assertThrows(IllegalArgumentException.class, () -> ControlCodec.write(new ByteArrayOutputStream(), Map.of("id", "1")));
        String big = "x".repeat(ControlCodec.MAX_FRAME);
        assertThrows(ProtocolException.class,
                () -> ControlCodec.write(new ByteArrayOutputStream(), Map.of("op", "result", "chain", big)));
    }
}
