package lacme.common.proto;

import lacme.common.proto.Control.AccountdHandover;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Invalid;
import lacme.common.proto.Control.Kind;
import lacme.common.proto.Control.RenewalInfo;
import lacme.common.proto.Control.RenewalInfoRequest;
import lacme.common.proto.Control.RenewalInfoResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The renewal_info exchange and the accountd handover (issue 13) on the control channel. */
class RenewalInfoFramesTest {
    private static final String ARI = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
    private static final Map<String, Kind> PENDING = Map.of("5", Kind.RENEWAL_INFO);

    @Test
    void requestHandoverAndResultRoundTrip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RenewalInfoRequest q = new RenewalInfoRequest(Id.of("5"), List.of(ARI, "a2V5.AQ"));
        ControlCodec.writeRequest(out, q);
        ControlCodec.writeRequest(out, new AccountdHandover());
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(q, ControlCodec.readRequest(in));
        assertInstanceOf(AccountdHandover.class, ControlCodec.readRequest(in));
        assertNull(ControlCodec.readRequest(in));

        RenewalInfoResult r = new RenewalInfoResult(Id.of("5"), true, List.of(
                RenewalInfo.window(ARI, Instant.ofEpochSecond(1000), Instant.ofEpochSecond(2000),
                        "https://ca.example/why", Duration.ofHours(6)),
                RenewalInfo.failed("a2V5.AQ", "GET renewalInfo: HTTP 404")));
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        ControlCodec.writeResult(back, r);
        ControlCodec.writeResult(back, new RenewalInfoResult(Id.of("5"), false, List.of()));
        ByteArrayInputStream rin = new ByteArrayInputStream(back.toByteArray());
        assertEquals(r, ControlCodec.readResult(rin, PENDING));
        RenewalInfoResult none = assertInstanceOf(RenewalInfoResult.class, ControlCodec.readResult(rin, PENDING));
        assertTrue(!none.offered() && none.answers().isEmpty());
    }

    @Test
    void malformedRequestsAreInvalidNotFatal() throws IOException {
        for (Object ids : List.of(List.of(), List.of("no-dot"), List.of("a.b\u001b[31m"), "x",
                java.util.Collections.nCopies(Control.MAX_RENEWAL_INFO + 1, ARI))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ControlCodec.write(out, Map.of("op", "renewal_info", "id", "1", "ari_ids", ids));
            Invalid i = assertInstanceOf(Invalid.class, ControlCodec.readRequest(new ByteArrayInputStream(out.toByteArray())));
            assertTrue(i.error().startsWith("malformed 'renewal_info' request: "), i.error());
            assertTrue(!i.error().contains("\u001b"), i.error());
        }
    }

    private static Map<String, Object> answer(Object start, Object end, Object retry) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("ari_id", ARI);
        a.put("start", start);
        a.put("end", end);
        a.put("retry_after", retry);
        return a;
    }

    private static Exception readBack(Object offered, List<?> answers) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, Object> f = new LinkedHashMap<>(Map.of("op", "result", "id", "5", "ok", true, "offered", offered));
        f.put("answers", answers);
        ControlCodec.write(out, f);
        return assertThrows(ProtocolException.class,
                () -> ControlCodec.readResult(new ByteArrayInputStream(out.toByteArray()), PENDING));
    }

    @Test
    void theMasterDistrustsTheClientsAnswer() throws IOException {
        readBack("yes", List.of());                                           // offered not a boolean
        readBack(false, List.of(answer(1, 2, 3600)));                         // answers without renewalInfo
        readBack(true, List.of(answer(2000, 1000, 3600)));                    // start after end
        readBack(true, List.of(answer(1000, 1000, 3600)));                    // empty window
        readBack(true, List.of(answer(-5, 1000, 3600)));                      // before the epoch
        readBack(true, List.of(answer(1, Long.MAX_VALUE, 3600)));             // past year 9999
        readBack(true, List.of(answer(1, 2, 1)));                             // Retry-After under the clamp
        readBack(true, List.of(answer(1, 2, 30L * 86400)));                   // Retry-After over the clamp
        Map<String, Object> bad = answer(1, 2, 3600);
        bad.put("ari_id", "../../etc");
        readBack(true, List.of(bad));                                          // not a CertID
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i <= Control.MAX_RENEWAL_INFO; i++) {
            many.add(answer(1, 2, 3600));
        }
        readBack(true, many);                                                  // too many
    }

    @Test
    void explanationUrlAndErrorsAreSanitised() throws IOException {
        Map<String, Object> a = answer(1, 2, 3600);
        a.put("explanation_url", "https://ca.example/\u001b[2J\nforged line\u202e");
        Map<String, Object> e = new LinkedHashMap<>(Map.of("ari_id", ARI, "error", "x\ny" + "z".repeat(5000)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlCodec.write(out, Map.of("op", "result", "id", "5", "ok", true, "offered", true, "answers", List.of(a, e)));
        RenewalInfoResult r = (RenewalInfoResult) ControlCodec.readResult(new ByteArrayInputStream(out.toByteArray()),
                PENDING);
        String url = r.answers().get(0).explanationUrl();
        assertTrue(url.chars().noneMatch(c -> c < 0x20 || c == 0x202e), url);
        String err = r.answers().get(1).error();
        assertTrue(!err.contains("\n") && err.length() <= ControlCodec.MAX_LINE + 3, err);
    }
}
