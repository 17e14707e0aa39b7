package lacme.common.proto;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import lacme.common.proto.Control.AccountRequest;
import lacme.common.proto.Control.AccountResult;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Identifier;
import lacme.common.proto.Control.Invalid;
import lacme.common.proto.Control.Kind;
import lacme.common.proto.Control.OrderRequest;
import lacme.common.proto.Control.OrderResult;
import lacme.common.proto.Control.Result;
import lacme.common.proto.Control.RevokeRequest;
import lacme.common.proto.Control.RevokeResult;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static ByteArrayInputStream bytes(ByteArrayOutputStream b) {
        return new ByteArrayInputStream(b.toByteArray());
    }

    @Test
    void typedFramesRoundTrip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Hello h = new Hello("https://ca.example/dir", 7, false, "TLSv1.3", "HIGH", "PEM", true, 9);
        ControlCodec.writeHello(out, h);
        AccountRequest a = new AccountRequest(Id.of("1"), true, true, false, List.of("mailto:a@example.org"));
        OrderRequest o = new OrderRequest(Id.of("2"), "www", List.of(new Identifier("dns", "é.example"),
                new Identifier("ip", "192.0.2.1")), new byte[] {0x30, 3, 2, 1, 1}, "shortlived", "a2V5.AQ");
        RevokeRequest v = new RevokeRequest(Id.of("3"), new byte[] {1, 2, 3}, 4);
        for (var r : List.of(a, o, v)) {
            ControlCodec.writeRequest(out, r);
        }
        ByteArrayInputStream in = bytes(out);
        assertEquals(h, ControlCodec.readHello(in));
        assertEquals(a, ControlCodec.readRequest(in));
        OrderRequest o2 = assertInstanceOf(OrderRequest.class, ControlCodec.readRequest(in));
        assertEquals(o.identifiers(), o2.identifiers());
        assertEquals("www", o2.section());
        assertEquals("shortlived", o2.profile());
        assertEquals("a2V5.AQ", o2.replaces());
        assertArrayEquals(o.csr(), o2.csr());
        RevokeRequest v2 = assertInstanceOf(RevokeRequest.class, ControlCodec.readRequest(in));
        assertArrayEquals(v.certificate(), v2.certificate());
        assertEquals(4, v2.reason());
        assertNull(ControlCodec.readRequest(in));

        ByteArrayOutputStream back = new ByteArrayOutputStream();
        List<Result> results = List.of(new AccountResult(Id.of("1"), "{\"status\":\"valid\"}", "https://ca/acct/1"),
                new OrderResult(Id.of("2"), "CHAIN", List.of("ALT")), new RevokeResult(Id.of("3")),
                new Failure(Id.of("4"), "refused"));
        for (Result r : results) {
            assertEquals(r, ControlCodec.writeResult(back, r));
        }
        ByteArrayInputStream rin = bytes(back);
        Map<String, Kind> pending = Map.of("1", Kind.ACCOUNT, "2", Kind.ORDER, "3", Kind.REVOKE, "4", Kind.ORDER);
        for (Result r : results) {
            assertEquals(r, ControlCodec.readResult(rin, pending));
        }
        assertNull(ControlCodec.readResult(rin, pending));
    }

    @Test
    void helloDefaultsAreDefinedOnce() throws IOException {
        Hello h = ControlCodec.decodeHello(Map.of("op", "hello", "version", 1));
        assertEquals(new Hello(null, Control.DEFAULT_TIMEOUT, true, null, null, null, false,
                Control.DEFAULT_MAX_PARALLEL), h);
        assertEquals(Control.DEFAULT_SERVER, h.server());
    }

    @Test
    void numericIdsAreEchoedAsNumbers() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlCodec.write(out, Map.of("op", "revoke", "id", 7, "certificate", "AQID"));
        Control.Request r = ControlCodec.readRequest(bytes(out));
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        ControlCodec.writeResult(back, new RevokeResult(r.id()));
        assertEquals(7L, ((Number) ControlCodec.read(bytes(back)).get("id")).longValue());
    }

    @Test
    void challengePreferenceIsOptionalAndChecked() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Map<String, String>> ids = List.of(Map.of("type", "dns", "value", "a.example"));
        ControlCodec.writeRequest(out, new OrderRequest(Id.of("1"), "www", List.of(new Identifier("dns", "a.example")),
                new byte[] {1}, List.of("dns-01", "http-01")));
        ControlCodec.write(out, Map.of("op", "order", "id", "2", "identifiers", ids, "csr", "AQ"));
        ControlCodec.write(out, Map.of("op", "order", "id", "3", "identifiers", ids, "csr", "AQ",
                "challenges", List.of("http-01", "DNS 01")));
        ControlCodec.write(out, Map.of("op", "order", "id", "4", "identifiers", ids, "csr", "AQ",
                "challenges", List.of()));
        ByteArrayInputStream in = bytes(out);
        assertEquals(List.of("dns-01", "http-01"),
                assertInstanceOf(OrderRequest.class, ControlCodec.readRequest(in)).challenges());
        assertEquals(List.of("http-01"), assertInstanceOf(OrderRequest.class, ControlCodec.readRequest(in)).challenges(),
                "absent: http-01 only, as lacme");
        assertTrue(assertInstanceOf(Invalid.class, ControlCodec.readRequest(in)).error()
                .contains("malformed type 'DNS 01'"));
        assertTrue(assertInstanceOf(Invalid.class, ControlCodec.readRequest(in)).error().contains("1 to 8"));
        assertEquals(List.of("http-01"), new OrderRequest(Id.of("5"), null, List.of(), new byte[0]).challenges());
    }

    @Test
    void badRequestsWithAnIdAreInvalidNotFatal() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlCodec.write(out, Map.of("op", "revoke", "id", "1", "certificate", "AQID", "reason", 11));
        ControlCodec.write(out, Map.of("op", "order", "id", "2", "csr", "!"));
        ControlCodec.write(out, Map.of("op", "nope", "id", "3"));
        ControlCodec.write(out, Map.of("op", "order", "id", "x".repeat(ControlCodec.MAX_ID + 1)));
        ByteArrayInputStream in = bytes(out);
        assertTrue(assertInstanceOf(Invalid.class, ControlCodec.readRequest(in)).error().contains("reason"));
        assertEquals("malformed 'order' request: 'csr' is not base64url",
                assertInstanceOf(Invalid.class, ControlCodec.readRequest(in)).error());
        assertEquals("unknown request 'nope'", assertInstanceOf(Invalid.class, ControlCodec.readRequest(in)).error());
        assertThrows(ProtocolException.class, () -> ControlCodec.readRequest(in), "an id too long to echo");
    }

    /** The client can never leave the master waiting: a result too big for a frame becomes a failure. */
    @Test
    void oversizedResultBecomesAFailureForThatRequest() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String huge = "\u0001".repeat(ControlCodec.MAX_FRAME / 6 + 1); // 6 bytes each in JSON
        Result sent = ControlCodec.writeResult(out, new AccountResult(Id.of("5"), huge, null));
        Failure f = assertInstanceOf(Failure.class, sent);
        assertTrue(f.error().contains("exceeds the control frame limit of " + ControlCodec.MAX_FRAME), f.error());
        assertEquals(f, ControlCodec.readResult(bytes(out), Map.of("5", Kind.ACCOUNT)));
    }

    /** By construction: a result whose texts stay within MAX_TEXT always fits, whatever the characters. */
    @Test
    void resultsWithinTheTextBudgetAlwaysFit() throws IOException {
        String worst = "\u0001".repeat(ControlCodec.MAX_TEXT / 2);
        Result r = new OrderResult(Id.of("x".repeat(ControlCodec.MAX_ID)), worst, List.of(worst));
        assertEquals(r, ControlCodec.writeResult(new ByteArrayOutputStream(), r));
    }
}
