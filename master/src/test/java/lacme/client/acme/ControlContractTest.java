package lacme.client.acme;

import lacme.client.ControlLoop;
import lacme.client.MasterDns;
import lacme.client.RequestHandler;
import lacme.common.proto.Control.AccountRequest;
import lacme.common.proto.Control.AccountResult;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.Control.Identifier;
import lacme.common.proto.Control.OrderRequest;
import lacme.common.proto.Control.OrderResult;
import lacme.common.proto.Control.Result;
import lacme.common.proto.Control.RevokeRequest;
import lacme.common.proto.Control.RevokeResult;
import lacme.common.proto.ControlCodec;
import lacme.master.dns.DnsRequests;
import lacme.master.spawn.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static lacme.client.acme.FakeCa.json;
import static lacme.client.acme.FakeCa.pem;
import static lacme.client.acme.FakeCa.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control channel's contract, end to end but without processes or Pebble: the master's
 * real {@link ClientSession} talks over a socketpair to the client's real {@link ControlLoop}
 * and {@link RequestHandler}, wired as ClientMain wires them, and the client speaks ACME to
 * the scripted CA of the client tests. Every request kind succeeds and fails once, and chains
 * too big for a frame end in a clear answer, never a hang (each test is time-bounded).
 *
 * <p>It lives in the client's package, in the master's tests, to reuse the package-private
 * {@link FakeCa} and {@link ScriptedCaFixture} from the client's test-jar.
 */
@Timeout(60)
class ControlContractTest extends ScriptedCaFixture {
    private static final List<Identifier> IDS = List.of(new Identifier("dns", "a.example"),
            new Identifier("dns", "b.example"));
    private AFUNIXSocketPair<AFUNIXSocketChannel> pair;
    private Thread clientThread;
    private final AtomicReference<Throwable> clientError = new AtomicReference<>();
    private ClientSession session;

    /** The master's session, and on the other end the client's loop serving it. */
    private ClientSession start() throws Exception {
        pair = AFUNIXSocketPair.open();
        InputStream in = pair.getSocket2().socket().getInputStream();
        OutputStream out = pair.getSocket2().socket().getOutputStream();
        clientThread = new Thread(() -> {
            try {
                Hello h = ControlCodec.readHello(in);
                AcmeClient acme = new AcmeClient(connection(), null, dir, Duration.ofSeconds(h.timeout()), clock);
                MasterDns dns = new MasterDns(out);
                new ControlLoop(in, out, new RequestHandler(acme, dns, false), h.maxParallel(),
                        ControlLoop.WITH_HELLO, dns).run();
            } catch (Throwable e) {
                clientError.set(e);
            }
        }, "in-process-client");
        clientThread.start();
        Hello hello = new Hello(FakeCa.BASE + "/dir", 30, true, null, null, null, false);
        session = ClientSession.over(pair.getSocket1(), hello, null, hello.answerWait());
        return session;
    }

    @AfterEach
    void stop() throws Exception {
        if (session != null) {
            session.close();
            clientThread.join(10_000);
            assertFalse(clientThread.isAlive(), "the client ends at EOF");
            assertNull(clientError.get(), "the client ended cleanly");
        }
        if (pair != null) {
            pair.getSocket2().close();
        }
    }

    private void readyOrder() {
        ca.on("POST", "/new-order", json(201, "order-ready.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/order/1/finalize", json(200, "order-valid.json"));
    }

    private static FakeCa.Resp pemText(String text) {
        return new FakeCa.Resp(200, "application/pem-certificate-chain", text, Map.of());
    }

    /** A PEM-looking text of {@code size} characters (the client does not parse chains; the master does). */
    private static String bigPem(int size, char fill) {
        String head = "-----BEGIN CERTIFICATE-----\n";
        String tail = "\n-----END CERTIFICATE-----\n";
        return head + String.valueOf(fill).repeat(size - head.length() - tail.length()) + tail;
    }

    @Test
    void accountSucceeds() throws Exception {
        ca.on("POST", "/acct/1", json(200, "account.json"));
        ClientSession s = start();
        s.send(id -> new AccountRequest(id, false, false, false, List.of()));
        AccountResult r = assertInstanceOf(AccountResult.class, s.receive());
        assertEquals(ACCT, r.location());
        assertTrue(r.account().contains("\"valid\"") && !r.account().contains("\n"), r.account());
        assertEquals(0, s.pending());
    }

    @Test
    void accountFails() throws Exception {
        ca = new FakeCa();
        ca.on("POST", "/new-acct", problem(400, "problem-account-does-not-exist.json"));
        ClientSession s = start();
        s.send(id -> new AccountRequest(id, false, false, false, List.of()));
        Failure f = assertInstanceOf(Failure.class, s.receive());
        assertTrue(f.error().contains("accountDoesNotExist") && f.error().contains("lacme account --register"),
                f.error());
    }

    /** Issue 13: a profile the directory's meta.profiles lacks fails the order in one line, before newOrder. */
    @Test
    void anUnknownProfileFailsListingTheCasProfiles() throws Exception {
        ClientSession s = start();
        s.send(id -> new OrderRequest(id, "www", IDS, CSR, "shortlived", "a2V5.AQ"));
        Failure f = assertInstanceOf(Failure.class, s.receive());
        assertEquals("unknown profile 'shortlived'; the CA offers: no profiles", f.error());
        assertTrue(ca.to("/new-order").isEmpty(), "nothing ordered");
    }

    @Test
    void orderSucceedsWithItsAlternateChain() throws Exception {
        readyOrder();
        ca.on("POST", "/cert/1", pem("chain.pem").header("Link", "<" + FakeCa.BASE + "/cert/1/alt>;rel=\"alternate\""));
        ca.on("POST", "/cert/1/alt", pem("chain-alt.pem"));
        ClientSession s = start();
        s.send(id -> new OrderRequest(id, "www", IDS, CSR));
        OrderResult r = assertInstanceOf(OrderResult.class, s.receive());
        assertEquals(FakeCa.fixture("chain.pem"), r.chain());
        assertEquals(List.of(FakeCa.fixture("chain-alt.pem")), r.alternates());
        assertEquals("MAMCAQE", lacme.common.json.Json.parseObject(ca.to("/order/1/finalize").get(0).payload())
                .get("csr"), "the CSR crossed the channel intact");
    }

    @Test
    void theSectionsChallengePreferenceReachesTheClient() throws Exception {
        ca.on("POST", "/new-order", json(201, "order-pending.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/authz/a", json(200, "authz-a-valid.json"));
        ca.on("POST", "/authz/b", json(200, "authz-b-dns-only.json")); // tls-alpn-01 is answerable: not offered here
        ClientSession s = start();
        s.send(id -> new OrderRequest(id, "www", IDS, CSR, List.of("tls-alpn-01")));
        Failure f = assertInstanceOf(Failure.class, s.receive());
        assertTrue(f.error().contains("[www] no challenge of the preference (tls-alpn-01)")
                && f.error().contains("dns:b.example"), f.error());
        assertTrue(ca.to("/chall/b").isEmpty() && ca.to("/chall/b-alpn").isEmpty(), "nothing answered");
    }

    /**
     * dns-01 through the master: the client asks for the record of the CA's authorization, the
     * master's handler (lacme.master.dns) checks it against the section and runs the section's
     * real hook, the challenge is answered only once the record is there, and it is removed.
     */
    @Test
    void dns01RecordsArePublishedByTheMasterBeforeTheAnswerAndRemovedAfter() throws Exception {
        ca.on("POST", "/new-order", json(201, "order-pending.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/authz/a", json(200, "authz-a-valid.json"));
        ca.on("POST", "/authz/b", json(200, "authz-b-dns-only.json"));
        ca.on("POST", "/chall/b-dns", json(200, "challenge-b-processing.json"));
        ca.on("POST", "/order/1", json(200, "order-ready.json"));
        readyOrder();
        ca.on("POST", "/cert/1", pem("chain.pem"));
        java.nio.file.Path log = dir.resolve("hook.log");
        List<String> atAnswer = new java.util.ArrayList<>();
        ca.onRequest = seen -> {
            if (seen.path().equals("/chall/b-dns")) {
                atAnswer.addAll(DnsHookScript.lines(log));
            }
        };
        ClientSession s = start();
        DnsRequests dns = DnsHookScript.handler(cleanup);
        s.onClientRequest(dns::answer);
        lacme.common.proto.Control.Id id = s.send(i -> new OrderRequest(i, "www", IDS, CSR, List.of("dns-01")));
        dns.register(id, "www", NAMES, DnsHookScript.section(dir, log));
        assertInstanceOf(OrderResult.class, dns.finished(s.receive()));
        String digest = DnsChallenges.digest("tokBdns." + connection().key().thumbprint());
        assertEquals(List.of("add _acme-challenge.b.example " + digest), atAnswer, "published before the answer");
        assertEquals(List.of("add _acme-challenge.b.example " + digest, "remove _acme-challenge.b.example " + digest),
                DnsHookScript.lines(log));
    }

    /** A hostile CA names another domain in the order's authorization: the master refuses, nothing runs. */
    @Test
    void theMasterRefusesARecordOutsideTheSection() throws Exception {
        ca.on("POST", "/new-order", json(201, "order-pending.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/authz/a", json(200, "authz-a-valid.json"));
        ca.on("POST", "/authz/b", new FakeCa.Resp(200, "application/json", FakeCa.fixture("authz-b-dns-only.json")
                .replace("b.example", "victim.example"), Map.of()));
        java.nio.file.Path log = dir.resolve("hook.log");
        ClientSession s = start();
        DnsRequests dns = DnsHookScript.handler(cleanup);
        s.onClientRequest(dns::answer);
        lacme.common.proto.Control.Id id = s.send(i -> new OrderRequest(i, "www", IDS, CSR, List.of("dns-01")));
        dns.register(id, "www", NAMES, DnsHookScript.section(dir, log));
        Failure f = assertInstanceOf(Failure.class, dns.finished(s.receive()));
        assertEquals("refused DNS record '_acme-challenge.victim.example': not _acme-challenge. plus one of the"
                + " section's DNS identifiers", f.error());
        assertEquals(List.of(), DnsHookScript.lines(log), "the hook never ran");
        assertTrue(ca.to("/chall/b-dns").isEmpty(), "nothing answered");
    }

    private static final List<lacme.master.csr.Identifiers.Name> NAMES = List.of(
            new lacme.master.csr.Identifiers.Name("dns", "a.example"),
            new lacme.master.csr.Identifiers.Name("dns", "b.example"));
    private final lacme.master.Cleanup cleanup = new lacme.master.Cleanup(org.slf4j.LoggerFactory.getLogger("test"));

    @AfterEach
    void runCleanup() {
        cleanup.runAll();
    }

    @Test
    void orderFailsWithAOneLineSanitisedReason() throws Exception {
        ca.on("POST", "/new-order", problem(500, "problem-hostile.json"));
        ClientSession s = start();
        s.send(id -> new OrderRequest(id, "www", IDS, CSR));
        Failure f = assertInstanceOf(Failure.class, s.receive());
        assertTrue(f.error().contains("urn:ietf:params:acme:error:serverInternal X-Injected: 1: line one line two"),
                f.error());
        assertFalse(f.error().chars().anyMatch(Character::isISOControl), f.error());
    }

    @Test
    void revocationSucceedsAndFails() throws Exception {
        ca.on("POST", "/revoke", new FakeCa.Resp(200, null, "", Map.of()),
                problem(400, "problem-already-revoked.json"));
        ClientSession s = start();
        s.send(id -> new RevokeRequest(id, new byte[] {1, 2, 3}, null));
        assertInstanceOf(RevokeResult.class, s.receive());
        s.send(id -> new RevokeRequest(id, new byte[] {1, 2, 3}, 4));
        Failure f = assertInstanceOf(Failure.class, s.receive());
        assertTrue(f.error().contains("alreadyRevoked"), f.error());
        assertEquals(Map.of("certificate", "AQID", "reason", 4L),
                lacme.common.json.Json.parseObject(ca.to("/revoke").get(1).payload()));
    }

    @Test
    void severalRequestsAreAnsweredEachOnce() throws Exception {
        ca.on("POST", "/acct/1", json(200, "account.json"));
        ca.on("POST", "/revoke", new FakeCa.Resp(200, null, "", Map.of()));
        ClientSession s = start();
        var a = s.send(id -> new AccountRequest(id, false, false, false, List.of()));
        var v = s.send(id -> new RevokeRequest(id, new byte[] {1}, null));
        assertEquals(2, s.pending());
        Result first = s.receive();
        Result second = s.receive();
        assertEquals(java.util.Set.of(a, v), java.util.Set.of(first.id(), second.id()));
        assertEquals(0, s.pending());
    }

    /** Issue 9's hang: a chain bigger than a frame can carry must end in a clear error. */
    @Test
    void oversizedChainIsAClearFailureNotAHang() throws Exception {
        readyOrder();
        ca.on("POST", "/cert/1", pemText(bigPem(ControlCodec.MAX_TEXT + 1, 'A')));
        ClientSession s = start();
        s.send(id -> new OrderRequest(id, "www", IDS, CSR));
        Failure f = assertInstanceOf(Failure.class, s.receive());
        assertTrue(f.error().contains("response body larger than " + AcmeConnection.MAX_BODY + " bytes"), f.error());
    }

    /** The reproduction of issue 9: two 700 KB alternates are dropped, the default chain still arrives. */
    @Test
    void oversizedAlternatesAreDroppedAndTheChainArrives() throws Exception {
        readyOrder();
        ca.on("POST", "/cert/1", pem("chain.pem").header("Link", "<" + FakeCa.BASE + "/alt/1>;rel=\"alternate\", <"
                + FakeCa.BASE + "/alt/2>;rel=\"alternate\""));
        ca.on("POST", "/alt/1", pemText(bigPem(700_000, 'B')));
        ca.on("POST", "/alt/2", pemText(bigPem(700_000, 'C')));
        ClientSession s = start();
        s.send(id -> new OrderRequest(id, "www", IDS, CSR));
        OrderResult r = assertInstanceOf(OrderResult.class, s.receive());
        assertEquals(FakeCa.fixture("chain.pem"), r.chain());
        assertEquals(List.of(), r.alternates());
    }

    /** Alternates that each fit but together would not are cut at the frame's budget. */
    @Test
    void alternatesStopAtTheFrameBudget() throws Exception {
        readyOrder();
        ca.on("POST", "/cert/1", pem("chain.pem").header("Link", "<" + FakeCa.BASE + "/alt/1>;rel=\"alternate\", <"
                + FakeCa.BASE + "/alt/2>;rel=\"alternate\""));
        int each = ControlCodec.MAX_TEXT * 3 / 5;
        ca.on("POST", "/alt/1", pemText(bigPem(each, 'B')));
        ca.on("POST", "/alt/2", pemText(bigPem(each, 'C')));
        ClientSession s = start();
        s.send(id -> new OrderRequest(id, "www", IDS, CSR));
        OrderResult r = assertInstanceOf(OrderResult.class, s.receive());
        assertEquals(List.of(bigPem(each, 'B')), r.alternates());
    }

    /** Issue 13: renewal windows over the real channel, with no accountd anywhere; a CA without renewalInfo says so. */
    @Test
    void renewalInfoWithoutAccountd() throws Exception {
        String a = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
        ca.replace("GET", "/dir", json(200, "directory-ari.json"));
        ca.on("GET", "/renewal-info/" + a, json(200, "renewal-info.json").header("Retry-After", "7200"));
        ClientSession s = start();
        s.send(id -> new lacme.common.proto.Control.RenewalInfoRequest(id, List.of(a)));
        var r = assertInstanceOf(lacme.common.proto.Control.RenewalInfoResult.class, s.receive());
        assertTrue(r.offered());
        assertEquals(Duration.ofHours(2), r.answers().get(0).retryAfter());
        assertEquals(java.time.Instant.parse("2026-12-01T10:00:00Z"), r.answers().get(0).start());
        assertFalse(r.answers().get(0).explanationUrl().contains("\u001b"));
    }
}
