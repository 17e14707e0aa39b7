package lacme.master.spawn;

import lacme.common.proto.Control.AccountRequest;
import lacme.common.proto.Control.AccountResult;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.RevokeRequest;
import lacme.common.proto.ControlCodec;
import lacme.master.Fatal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The master's boundary against a hostile client speaking raw frames: it distrusts, sanitises and stops waiting. */
@Timeout(30)
class ClientSessionTest {
    private AFUNIXSocketPair<AFUNIXSocketChannel> pair;
    private InputStream peerIn;
    private OutputStream peerOut;
    private ClientSession session;

    private ClientSession start(Duration wait) throws Exception {
        pair = AFUNIXSocketPair.open();
        peerIn = pair.getSocket2().socket().getInputStream();
        peerOut = pair.getSocket2().socket().getOutputStream();
        session = ClientSession.over(pair.getSocket1(), new Hello(null, 30, true, null, null, null, false), null, wait);
        assertEquals(ControlCodec.HELLO, ControlCodec.read(peerIn).get("op"));
        return session;
    }

    @AfterEach
    void close() throws Exception {
        if (session != null) {
            session.close();
        }
        if (pair != null) {
            pair.getSocket2().close();
        }
    }

    /** The peer answers {@code id} with these members. */
    private void answer(Object id, Object... kv) throws Exception {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("op", ControlCodec.RESULT);
        f.put("id", id);
        for (int i = 0; i < kv.length; i += 2) {
            f.put((String) kv[i], kv[i + 1]);
        }
        ControlCodec.write(peerOut, f);
    }

    @Test
    void silentClientEndsTheWaitWithAClearError() throws Exception {
        ClientSession s = start(Duration.ofMillis(300));
        s.send(id -> new AccountRequest(id, false, false, false, List.of()));
        long t0 = System.nanoTime();
        Fatal e = assertThrows(Fatal.class, s::receive);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "bounded wait");
        assertTrue(e.getMessage().startsWith("the client did not answer within"), e.getMessage());
    }

    @Test
    void answerWaitIsTheClientTimeoutPlusAMargin() {
        assertEquals(Duration.ofSeconds(30 + 120), new Hello(null, 30, true, null, null, null, false).answerWait());
        assertEquals(Duration.ofSeconds(3600 + 120), new Hello(null, 0, true, null, null, null, false).answerWait());
    }

    @Test
    void everyStringFromTheClientIsSanitised() throws Exception {
        ClientSession s = start(Duration.ofSeconds(10));
        Id a = s.send(id -> new AccountRequest(id, false, false, false, List.of()));
        Id r = s.send(id -> new RevokeRequest(id, new byte[] {1}, null));
        answer(a.text(), "ok", true, "account", "{\"status\":\n\"valid\"}\u001b]0;pwned\u0007\r\n[ERROR] forged",
                "location", "https://ca.test/acct/1\u001b[2J");
        answer(r.text(), "ok", false, "error", "x".repeat(5000) + "\n\u202eevil");
        AccountResult ar = assertInstanceOf(AccountResult.class, s.receive());
        assertEquals("{\"status\": \"valid\"} ]0;pwned [ERROR] forged", ar.account());
        assertEquals("https://ca.test/acct/1 [2J", ar.location());
        Failure f = assertInstanceOf(Failure.class, s.receive());
        assertEquals(ControlCodec.MAX_LINE + 3, f.error().length(), "capped");
        assertTrue(f.error().chars().noneMatch(c -> Character.isISOControl(c) || c == '\u202e'), f.error());
    }

    @Test
    void answersToUnknownRequestsOrOfTheWrongShapeEndTheSession() throws Exception {
        ClientSession s = start(Duration.ofSeconds(10));
        s.send(id -> new AccountRequest(id, false, false, false, List.of()));
        answer("99", "ok", true, "account", "{}");
        assertTrue(assertThrows(Fatal.class, s::receive).getMessage().startsWith("the client broke the control protocol"));
    }

    @Test
    void aResultWithoutItsKindsMembersIsAProtocolError() throws Exception {
        ClientSession s = start(Duration.ofSeconds(10));
        Id a = s.send(id -> new AccountRequest(id, false, false, false, List.of()));
        answer(a.text(), "ok", true, "account", 42);
        Fatal e = assertThrows(Fatal.class, s::receive);
        assertTrue(e.getMessage().contains("malformed answer to request 1"), e.getMessage());
    }
}
