package lacme.client;

import lacme.client.acme.AcmeClient;
import lacme.client.acme.Poller;
import lacme.common.proto.Control;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.ControlCodec;
import lacme.common.proto.ProtocolException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frame handling without a CA: every request is answered once; malformed ones are errors, not crashes. */
class ControlLoopTest {
    /** A client whose CA is unreachable: no request of these tests gets that far, or fails cleanly. */
    private static RequestHandler handler() {
        return new RequestHandler(new AcmeClient(null, null, Path.of("/nonexistent"), Duration.ZERO,
                Poller.Clock.SYSTEM), false);
    }

    private static byte[] frames(List<Map<String, Object>> fs) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Map<String, Object> f : fs) {
            ControlCodec.write(b, f);
        }
        return b.toByteArray();
    }

    private static List<Map<String, Object>> results(byte[] out) throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream(out);
        List<Map<String, Object>> r = new ArrayList<>();
        Map<String, Object> f;
        while ((f = ControlCodec.read(in)) != null) {
            r.add(f);
        }
        return r;
    }

    private static Map<String, Object> frame(String op, Object id, Object... kv) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("op", op);
        f.put("id", id);
        for (int i = 0; i < kv.length; i += 2) {
            f.put((String) kv[i], kv[i + 1]);
        }
        return f;
    }

    @Test
    void malformedRequestsGetOneErrorResultEach() throws Exception {
        byte[] in = frames(List.of(
                frame("frobnicate", 1),
                frame("order", 2, "identifiers", "nope", "csr", "AA"),
                frame("order", "3", "identifiers", List.of(Map.of("type", "dns", "value", "a.example")), "csr", "+/="),
                frame("revoke", 4, "certificate", 42),
                frame("account", 5, "register", "yes")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ControlLoop(new ByteArrayInputStream(in), out, handler(), 2).run();
        List<Map<String, Object>> r = results(out.toByteArray());
        assertEquals(5, r.size());
        Map<Object, String> errors = new java.util.HashMap<>();
        for (Map<String, Object> x : r) {
            assertEquals("result", x.get("op"));
            assertEquals(false, x.get("ok"));
            errors.put(x.get("id") instanceof Number ? ((Number) x.get("id")).intValue() : x.get("id"), (String) x.get("error"));
        }
        assertEquals("unknown request 'frobnicate'", errors.get(1));
        assertTrue(errors.get(2).startsWith("malformed 'order' request"), errors.get(2));
        assertEquals("malformed 'order' request: 'csr' is not base64url", errors.get("3"));
        assertTrue(errors.get(4).startsWith("malformed 'revoke' request"), errors.get(4));
        assertTrue(errors.get(5).startsWith("malformed 'account' request"), errors.get(5));
    }

    /** The master gone (its channel closed): the loop ends with MasterGoneException, which the client keeps quiet. */
    @Test
    void aResultTheMasterCanNoLongerReadEndsTheLoopAsMasterGone() throws Exception {
        byte[] in = frames(List.of(frame("frobnicate", 1)));
        java.io.OutputStream closed = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
            }
        };
        ControlLoop.MasterGoneException e = assertThrows(ControlLoop.MasterGoneException.class,
                () -> new ControlLoop(new ByteArrayInputStream(in), closed, handler(), 1).run());
        assertTrue(e.getMessage().contains("Broken pipe"), e.getMessage());
    }

    /** A channel reset by the master (it is ending the run) is MasterGone too, not an error of the client's. */
    @Test
    void aResetChannelEndsTheLoopAsMasterGone() {
        java.io.InputStream reset = new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                throw new java.io.IOException("Connection reset by peer");
            }
        };
        assertThrows(ControlLoop.MasterGoneException.class,
                () -> new ControlLoop(reset, new ByteArrayOutputStream(), handler(), 1).run());
    }

    @Test
    void requestWithoutIdIsAProtocolError() throws Exception {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("op", "order");
        byte[] in = frames(List.of(f));
        assertThrows(ProtocolException.class,
                () -> new ControlLoop(new ByteArrayInputStream(in), new ByteArrayOutputStream(), handler(), 1).run());
    }

    @Test
    void secondHelloIsAProtocolError() throws Exception {
        byte[] in = frames(List.of(Map.of("op", "hello", "version", 1)));
        assertThrows(ProtocolException.class,
                () -> new ControlLoop(new ByteArrayInputStream(in), new ByteArrayOutputStream(), handler(), 1).run());
    }

    @Test
    void eofEndsQuietly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ControlLoop(new ByteArrayInputStream(new byte[0]), out, handler(), 1).run();
        assertEquals(0, out.size());
    }

    @Test
    void helloIsParsedStrictly() throws Exception {
        Hello h = ControlCodec.decodeHello(Map.of("op", "hello", "version", 1));
        assertEquals(Control.DEFAULT_SERVER, h.server());
        assertEquals(30, h.timeout());
        assertTrue(h.sslVerify());
        assertThrows(ProtocolException.class, () -> ControlCodec.decodeHello(Map.of("op", "hello", "version", 2)));
        assertThrows(ProtocolException.class, () -> ControlCodec.decodeHello(Map.of("op", "hello", "version", 1, "timeout", "30")));
        assertThrows(ProtocolException.class, () -> ControlCodec.decodeHello(Map.of("op", "hello", "version", 1, "ssl_verify", "no")));
        assertThrows(ProtocolException.class, () -> ControlCodec.decodeHello(Map.of("op", "order", "version", 1)));
    }

    @Test
    void maxParallelIsOptionalAndBounded() throws Exception {
        assertEquals(Control.DEFAULT_MAX_PARALLEL, ControlCodec.decodeHello(Map.of("op", "hello", "version", 1)).maxParallel());
        assertEquals(4, Control.DEFAULT_MAX_PARALLEL);
        assertEquals(1, ControlCodec.decodeHello(Map.of("op", "hello", "version", 1, "max_parallel", 1)).maxParallel());
        assertEquals(16, ControlCodec.decodeHello(Map.of("op", "hello", "version", 1, "max_parallel", 16L)).maxParallel());
        for (Object bad : List.of(0, -1, 17, 1L << 33, 2.5, "4", true, List.of(4))) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> ControlCodec.decodeHello(Map.of("op", "hello", "version", 1, "max_parallel", bad)), String.valueOf(bad));
            assertTrue(e.getMessage().contains("max_parallel"), e.getMessage());
        }
    }

    /** No accountd yet (issue 13): counts the handovers it is given. */
    private static final class NoAccountd implements ControlLoop.Accountd {
        int handovers;

        @Override
        public boolean attached() {
            return handovers > 0;
        }

        @Override
        public void handover() {
            handovers++;
        }
    }

    @Test
    void aSigningRequestBeforeTheAccountdConnectionIsAProtocolError() throws Exception {
        Map<String, Map<String, Object>> valid = Map.of(
                "order", frame("order", 1, "identifiers", List.of(Map.of("type", "dns", "value", "a.example")),
                        "csr", "AQ"),
                "account", frame("account", 1),
                "revoke", frame("revoke", 1, "certificate", "AQ"));
        for (String op : valid.keySet()) {
            byte[] in = frames(List.of(valid.get(op)));
            ProtocolException e = assertThrows(ProtocolException.class, () -> new ControlLoop(
                    new ByteArrayInputStream(in), new ByteArrayOutputStream(), handler(), 1, new NoAccountd()).run());
            assertEquals("'" + op + "' request before the lacme-accountd connection", e.getMessage());
        }
    }

    @Test
    void afterTheHandoverRequestsAreServed() throws Exception {
        byte[] in = frames(List.of(Map.of("op", "accountd"), frame("account", 1, "register", "yes")));
        NoAccountd a = new NoAccountd();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ControlLoop(new ByteArrayInputStream(in), out, handler(), 1, a).run();
        assertEquals(1, a.handovers);
        assertEquals(1, results(out.toByteArray()).size());
    }

    @Test
    void aHandoverAfterAHelloThatCarriedAccountdIsAProtocolError() throws Exception {
        byte[] in = frames(List.of(Map.of("op", "accountd")));
        assertThrows(ProtocolException.class,
                () -> new ControlLoop(new ByteArrayInputStream(in), new ByteArrayOutputStream(), handler(), 1).run());
    }
}
