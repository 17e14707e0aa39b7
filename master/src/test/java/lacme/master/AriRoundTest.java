package lacme.master;

import lacme.common.proto.Control.Hello;
import lacme.common.proto.ControlCodec;
import lacme.master.config.RecordingReporter;
import lacme.master.renew.Window;
import lacme.master.spawn.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The master's ARI round against a client speaking raw frames: it takes only answers to what it asked. */
@Timeout(30)
class AriRoundTest {
    private static final String A = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
    private static final String B = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyF";
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private AFUNIXSocketPair<AFUNIXSocketChannel> pair;
    private ClientSession session;
    private OutputStream peerOut;
    private final RecordingReporter report = new RecordingReporter(true);

    /** Asks about www → A and mail → B; the peer answers with these members. */
    private Map<String, Window> ask(Object... kv) throws Exception {
        close();
        pair = AFUNIXSocketPair.open();
        InputStream peerIn = pair.getSocket2().socket().getInputStream();
        peerOut = pair.getSocket2().socket().getOutputStream();
        session = ClientSession.over(pair.getSocket1(), new Hello(null, 30, true, null, null, null, false), null,
                Duration.ofSeconds(10));
        ControlCodec.read(peerIn); // hello
        Thread peer = new Thread(() -> {
            try {
                Map<String, Object> q = ControlCodec.read(peerIn);
                assertEquals(List.of(A, B), q.get("ari_ids"));
                Map<String, Object> f = new LinkedHashMap<>(Map.of("op", "result", "id", q.get("id"), "ok", true));
                for (int i = 0; i < kv.length; i += 2) {
                    f.put((String) kv[i], kv[i + 1]);
                }
                ControlCodec.write(peerOut, f);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        peer.start();
        Map<String, String> toAsk = new LinkedHashMap<>();
        toAsk.put("www", A);
        toAsk.put("mail", B);
        return AriRound.ask(session, toAsk, NOW, report);
    }

    @AfterEach
    void close() throws Exception {
        if (pair != null) {
            session.close();
            pair.getSocket2().close();
            pair = null;
        }
    }

    private static Map<String, Object> window(String id, long start, long end) {
        return Map.of("ari_id", id, "start", start, "end", end, "retry_after", 3600,
                "explanation_url", "https://ca.example/why");
    }

    @Test
    void windowsPerSectionAndAFailedLookUpFallsBack() throws Exception {
        Map<String, Window> w = ask("offered", true, "answers", List.of(window(A, 1000, 2000),
                Map.of("ari_id", B, "error", "HTTP 404")));
        assertEquals(new Window(Instant.ofEpochSecond(1000), Instant.ofEpochSecond(2000), "https://ca.example/why",
                NOW.plusSeconds(3600)), w.get("www"));
        assertEquals(1, w.size());
        assertTrue(report.lines().contains("W [mail] Warning: Couldn't fetch renewal information (HTTP 404), deciding"
                + " by lifetime"), report.lines().toString());
    }

    @Test
    void aCaWithoutRenewalInfoMeansLifetimes() throws Exception {
        assertTrue(ask("offered", false, "answers", List.of()).isEmpty());
        assertTrue(report.lines().contains("D The ACME server offers no renewalInfo: deciding by lifetime"),
                report.lines().toString());
    }

    @Test
    void answersForCertificatesNotAskedAboutEndTheRun() {
        Fatal f = assertThrows(Fatal.class, () -> ask("offered", true, "answers",
                List.of(window(B, 1, 2), window(A, 1, 2))));
        assertTrue(f.getMessage().startsWith("the client broke the control protocol"), f.getMessage());
        Fatal g = assertThrows(Fatal.class, () -> ask("offered", true, "answers", List.of(window(A, 1, 2))));
        assertTrue(g.getMessage().contains("1 renewal_info answers for 2 certificates"), g.getMessage());
    }
}
