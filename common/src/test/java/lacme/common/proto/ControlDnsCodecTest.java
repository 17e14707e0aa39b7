package lacme.common.proto;

import lacme.common.proto.Control.DnsAction;
import lacme.common.proto.Control.DnsAnswer;
import lacme.common.proto.Control.DnsRequest;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Kind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dns-01 frames: round trips, and the master's distrust of the client's request. */
class ControlDnsCodecTest {
    private static final String VALUE = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

    private static Map<String, Object> reread(ByteArrayOutputStream out) throws IOException {
        return ControlCodec.read(new ByteArrayInputStream(out.toByteArray()));
    }

    @Test
    void requestAndAnswersRoundTrip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DnsRequest r = new DnsRequest(Id.of("d1"), Id.of("3"), DnsAction.ADD, "_acme-challenge.x.test", VALUE);
        ControlDnsCodec.writeRequest(out, r);
        Map<String, Object> f = reread(out);
        assertTrue(ControlDnsCodec.isRequest(f));
        assertFalse(ControlDnsCodec.isAnswer(f));
        assertEquals(r, ControlDnsCodec.decodeRequest(f));

        for (DnsAnswer a : new DnsAnswer[] {new DnsAnswer(Id.of("d1"), null), new DnsAnswer(Id.of("d2"), "[s] refused")}) {
            out.reset();
            ControlDnsCodec.writeAnswer(out, a);
            Map<String, Object> g = reread(out);
            assertTrue(ControlDnsCodec.isAnswer(g));
            assertEquals(a, ControlDnsCodec.decodeAnswer(g));
        }
    }

    @Test
    void theMasterRefusesMalformedRequestsAsProtocolErrors() {
        Map<String, Object> good = new LinkedHashMap<>(Map.of("op", "dns", "id", "d1", "order", "1", "action", "add",
                "name", "_acme-challenge.x.test", "value", VALUE));
        Object[][] bad = {
            {"action", "delete"}, {"action", 1}, {"id", 7}, {"id", ""}, {"id", "x".repeat(65)}, {"order", null},
            {"name", "n".repeat(ControlDnsCodec.MAX_NAME + 1)}, {"value", "v".repeat(ControlDnsCodec.MAX_VALUE + 1)},
            {"name", ""}, {"value", null}, {"name", java.util.List.of("a")},
        };
        for (Object[] b : bad) {
            Map<String, Object> f = new LinkedHashMap<>(good);
            f.put((String) b[0], b[1]);
            ProtocolException e = assertThrows(ProtocolException.class, () -> ControlDnsCodec.decodeRequest(f),
                    b[0] + "=" + b[1]);
            assertTrue(e.getMessage().startsWith("malformed 'dns' request: "), e.getMessage());
        }
    }

    @Test
    void theClientSanitisesTheMastersReason() throws IOException {
        DnsAnswer a = ControlDnsCodec.decodeAnswer(Map.of("op", "dns_result", "id", "d1", "ok", false,
                "error", "one\nline\u001b[31m"));
        assertFalse(a.done());
        assertFalse(a.error().contains("\n") || a.error().contains("\u001b"), a.error());
        assertEquals("refused by the master", ControlDnsCodec.decodeAnswer(Map.of("op", "dns_result", "id", "d1",
                "ok", false)).error());
        assertThrows(ProtocolException.class, () -> ControlDnsCodec.decodeAnswer(Map.of("op", "dns_result", "id", "d1",
                "ok", "yes")));
    }

    @Test
    void aDnsRequestIsNotAResult() {
        // the master routes dns frames before decoding results: a dns frame is never taken for an answer
        ProtocolException e = assertThrows(ProtocolException.class, () -> ControlCodec.decodeResult(
                Map.of("op", "dns", "id", "1"), Map.of("1", Kind.ORDER)));
        assertNull(null, e.getMessage());
    }
}
