package lacme.client.acme;

import lacme.common.json.Json;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import static lacme.client.acme.FakeCa.cut;
import static lacme.client.acme.FakeCa.json;
import static lacme.client.acme.FakeCa.pem;
import static lacme.client.acme.FakeCa.problem;
import static lacme.client.acme.FakeCa.status;
import static lacme.client.acme.FakeCa.unreachable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transient failures (connection errors, HTTP 500/502/503/504) against the scripted CA:
 * what is retried, how often, how long it waits, what is never replayed, and how an
 * interrupted challenge answer, finalize or revocation is recovered by reading state.
 */
class TransientFailureTest extends ScriptedCaFixture {
    private Poller budget(Duration timeout) {
        return new Poller(timeout, clock);
    }

    private static FakeCa.Resp html(int status) {
        return new FakeCa.Resp(status, "text/html", "<html>busy</html>", Map.of());
    }

    private void readyOrderThenValid() {
        ca.on("POST", "/new-order", json(201, "order-ready.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/cert/1", pem("chain.pem"));
    }

    private List<Duration> seconds(long... s) {
        return java.util.Arrays.stream(s).mapToObj(Duration::ofSeconds).toList();
    }

    // --- idempotent requests: retried on every transient failure ---

    @Test
    void directoryGetIsRetriedOn502AndOnACutConnection() throws Exception {
        ca.replace("GET", "/dir", html(502), cut(new SocketTimeoutException("Read timed out")),
                json(200, "directory.json"));
        Directory d = connection().directory(budget(Duration.ofSeconds(30)));
        assertEquals(URI.create(FakeCa.BASE + "/new-order"), d.newOrder());
        assertEquals(3, ca.to("/dir").size());
        assertEquals(seconds(1, 2), clock.sleeps, "1 s, then 2 s");
    }

    @Test
    void nonceHeadHonoursRetryAfterOn503() throws Exception {
        ca.on("HEAD", "/nonce", status(503).header("Retry-After", "3"), status(500), status(200));
        String n = connection().nonce(budget(Duration.ofSeconds(30)));
        assertTrue(n.matches("[A-Za-z0-9_-]+"));
        assertEquals(3, ca.to("/nonce").size());
        assertEquals(seconds(3, 2), clock.sleeps, "the 503's Retry-After, then the backoff");
    }

    @Test
    void orderPollIsRetriedAfterAServerErrorWithAFreshNonce() throws Exception {
        readyOrderThenValid();
        ca.on("POST", "/order/1/finalize", json(200, "order-processing.json"));
        ca.on("POST", "/order/1", problem(500, "problem-server-internal.json"), html(504),
                json(200, "order-valid.json"));
        AcmeClient.IssuedChain c = client(Duration.ofSeconds(30)).order(AB, CSR);
        assertTrue(c.chain().contains("BEGIN CERTIFICATE"));
        List<FakeCa.Seen> polls = ca.to("/order/1");
        assertEquals(3, polls.size());
        assertEquals(3, polls.stream().map(s -> s.header().get("nonce")).distinct().count());
        assertTrue(polls.stream().allMatch(s -> s.payload().isEmpty()), "POST-as-GET every time");
        assertEquals(List.of(Poller.INITIAL, Duration.ofSeconds(1), Duration.ofSeconds(2)), clock.sleeps,
                "one poll pause, then the two retry waits");
    }

    @Test
    void certificateDownloadIsRetried() throws Exception {
        ca.on("POST", "/new-order", json(201, "order-valid.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/cert/1", cut(new SocketException("Connection reset")), pem("chain.pem"));
        assertTrue(client(Duration.ofSeconds(30)).order(AB, CSR).chain().contains("BEGIN CERTIFICATE"));
        assertEquals(2, ca.to("/cert/1").size());
    }

    @Test
    void retriesAreBounded() throws Exception {
        ca.on("POST", "/new-order", json(201, "order-pending.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/authz/a", problem(500, "problem-server-internal.json"));
        TransientFailureException e = assertThrows(TransientFailureException.class,
                () -> client(Duration.ZERO).order(AB, CSR));
        assertEquals(RetryPolicy.MAX_TRANSIENT_TRIES, ca.to("/authz/a").size());
        assertEquals(seconds(1, 2, 4, 8), clock.sleeps);
        assertEquals("POST https://ca.test/authz/a: urn:ietf:params:acme:error:serverInternal: Error retrieving"
                + " account (HTTP 500); gave up after 5 attempts", e.getMessage());
    }

    @Test
    void theTimeoutBoundsTheRetryWaits() throws Exception {
        ca.on("POST", "/new-order", json(201, "order-pending.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/authz/a", html(503));
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(5)).order(AB, CSR));
        assertEquals(seconds(1, 2), clock.sleeps, "the third wait (4 s) would pass the 5 s deadline");
        assertEquals(3, ca.to("/authz/a").size());
        assertTrue(e.getMessage().startsWith("POST https://ca.test/authz/a: HTTP 503 (text/html); timeout (5 s)"
                + " exceeded before it could be retried"), e.getMessage());
    }

    @Test
    void aRetryAfterBeyondTheDeadlineFailsAtOnce() throws Exception {
        ca.on("POST", "/new-order", html(503).header("Retry-After", "60"));
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertTrue(clock.sleeps.isEmpty(), "no sleep that the deadline could not hold");
        assertTrue(e.getMessage().contains("timeout (30 s) exceeded before it could be retried (in 60 s)"),
                e.getMessage());
    }

    @Test
    void anOverlongRetryAfterIsNotWaitedOutEvenWithoutTimeout() throws Exception {
        ca.on("POST", "/new-order", html(503).header("Retry-After", "86400"));
        AcmeException e = assertThrows(TransientFailureException.class, () -> client(Duration.ZERO).order(AB, CSR));
        assertTrue(clock.sleeps.isEmpty());
        assertTrue(e.getMessage().endsWith("; the server asked to retry after 86400 s"), e.getMessage());
    }

    @Test
    void eachResponseIsWaitedForAtMostUntilTheDeadline() throws Exception {
        ca.replace("GET", "/dir", html(500), json(200, "directory.json"));
        Poller p = budget(Duration.ofSeconds(30));
        connection().directory(p);
        assertEquals(List.of(Duration.ofSeconds(30), Duration.ofSeconds(29)), ca.responseTimeouts,
                "the time left: 30 s, then 29 s after the 1 s retry wait");
        clock.now += Duration.ofSeconds(28).toNanos();
        assertEquals(Poller.MIN_RESPONSE_TIMEOUT, p.responseTimeout(AcmeConnection.MAX_RESPONSE_TIMEOUT),
                "never less than the minimum");
        assertEquals(AcmeConnection.MAX_RESPONSE_TIMEOUT,
                budget(Duration.ZERO).responseTimeout(AcmeConnection.MAX_RESPONSE_TIMEOUT), "no deadline");
    }

    // --- what is final ---

    @Test
    void tlsRefusalsAndMalformedResponsesAreNotRetried() throws Exception {
        ca.replace("GET", "/dir", cut(new SSLHandshakeException("PKIX path building failed")));
        AcmeException e = assertThrows(AcmeException.class, () -> connection().directory(budget(Duration.ZERO)));
        assertFalse(e instanceof TransientFailureException);
        assertEquals(1, ca.to("/dir").size());
        assertTrue(clock.sleeps.isEmpty());
        assertTrue(e.getMessage().contains("PKIX path building failed"), e.getMessage());

        ca = new FakeCa();
        ca.replace("GET", "/dir", new FakeCa.Resp(200, "application/json", "x".repeat(AcmeConnection.MAX_BODY + 1),
                Map.of()));
        e = assertThrows(AcmeException.class, () -> connection().directory(budget(Duration.ZERO)));
        assertEquals(1, ca.to("/dir").size());
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }

    @Test
    void failureClassification() {
        assertEquals(RetryPolicy.Failure.NOT_PROCESSED, RetryPolicy.classify(new ConnectException("refused")));
        assertEquals(RetryPolicy.Failure.NOT_PROCESSED, RetryPolicy.classify(
                new HttpHostConnectException("Connect to https://ca.test:443 failed: Connection refused")));
        assertEquals(RetryPolicy.Failure.NOT_PROCESSED, RetryPolicy.classify(new ConnectTimeoutException("x")));
        assertEquals(RetryPolicy.Failure.NOT_PROCESSED, RetryPolicy.classify(new UnknownHostException("ca")));
        SSLHandshakeException cutHandshake = new SSLHandshakeException("Remote host terminated the handshake");
        cutHandshake.initCause(new EOFException("SSL peer shut down incorrectly"));
        assertEquals(RetryPolicy.Failure.NOT_PROCESSED, RetryPolicy.classify(cutHandshake));
        assertEquals(RetryPolicy.Failure.MAYBE_PROCESSED,
                RetryPolicy.classify(new NoHttpResponseException("ca.test:443 failed to respond")));
        assertEquals(RetryPolicy.Failure.MAYBE_PROCESSED,
                RetryPolicy.classify(new SocketTimeoutException("Read timed out")));
        assertEquals(RetryPolicy.Failure.MAYBE_PROCESSED,
                RetryPolicy.classify(new SocketException("Connection reset")));
        assertEquals(RetryPolicy.Failure.FATAL,
                RetryPolicy.classify(new SSLHandshakeException("No subject alternative names present")));
        assertEquals(RetryPolicy.Failure.FATAL,
                RetryPolicy.classify(new SSLPeerUnverifiedException("Certificate for <x> doesn't match")));
        assertEquals(RetryPolicy.Failure.FATAL, RetryPolicy.classify(new AcmeConnection.BodyTooLargeException()));
        assertEquals(RetryPolicy.Failure.FATAL,
                RetryPolicy.classify(new org.apache.hc.client5.http.ClientProtocolException("bad status line")));
        assertEquals(RetryPolicy.Failure.FATAL,
                RetryPolicy.classify(new java.io.InterruptedIOException("interrupted")));
    }

    @Test
    void otherServerErrorsAreFinal() throws Exception {
        ca.on("POST", "/new-order", html(501));
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertFalse(e instanceof TransientFailureException);
        assertEquals(1, ca.to("/new-order").size());
    }

    // --- newOrder: never replayed once the CA may have acted ---

    @Test
    void newOrderIsNotReplayedAfterAServerError() throws Exception {
        ca.on("POST", "/new-order", problem(500, "problem-server-internal.json"));
        TransientFailureException e = assertThrows(TransientFailureException.class,
                () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertTrue(e.mayHaveBeenProcessed());
        assertEquals(1, ca.to("/new-order").size());
        assertTrue(clock.sleeps.isEmpty());
        assertEquals("POST https://ca.test/new-order: urn:ietf:params:acme:error:serverInternal: Error retrieving"
                + " account (HTTP 500); not sent again: the CA may have acted on it", e.getMessage());
    }

    @Test
    void newOrderIsNotReplayedAfterALostResponse() throws Exception {
        ca.on("POST", "/new-order", cut(new NoHttpResponseException("ca.test:443 failed to respond")));
        TransientFailureException e = assertThrows(TransientFailureException.class,
                () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertEquals(1, ca.to("/new-order").size());
        assertTrue(e.getMessage().startsWith("POST https://ca.test/new-order: NoHttpResponseException: ca.test:443"
                + " failed to respond; not sent again"), e.getMessage());
        assertInstanceOf(NoHttpResponseException.class, e.getCause());
    }

    @Test
    void newOrderIsRepeatedWhenItNeverLeft() throws Exception {
        ca.on("POST", "/new-order", FakeCa.unreachable(new ConnectException("Connection refused")),
                json(201, "order-valid.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(List.of("POST /new-order"), ca.unreached);
        assertEquals(1, ca.to("/new-order").size(), "the CA saw one newOrder");
        assertEquals(seconds(1), clock.sleeps);
    }

    @Test
    void newOrderIsRepeatedAfter503WithRetryAfterAndAFreshNonce() throws Exception {
        ca.on("POST", "/new-order", html(503).header("Retry-After", "2"),
                json(201, "order-valid.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        client(Duration.ofSeconds(30)).order(AB, CSR);
        List<FakeCa.Seen> tries = ca.to("/new-order");
        assertEquals(2, tries.size());
        assertNotEquals(tries.get(0).header().get("nonce"), tries.get(1).header().get("nonce"));
        assertEquals(tries.get(0).payload(), tries.get(1).payload());
        assertEquals(seconds(2), clock.sleeps);
    }

    // --- finalize and challenge answers: state is read, not replayed blindly ---

    @Test
    void interruptedFinalizeThatTookEffectIsNotRepeated() throws Exception {
        readyOrderThenValid();
        ca.on("POST", "/order/1/finalize", problem(500, "problem-server-internal.json"));
        ca.on("POST", "/order/1", json(200, "order-processing.json"), json(200, "order-valid.json"));
        AcmeClient.IssuedChain c = client(Duration.ofSeconds(30)).order(AB, CSR);
        assertTrue(c.chain().contains("BEGIN CERTIFICATE"));
        assertEquals(1, ca.to("/order/1/finalize").size(), "finalize sent once");
        assertEquals(2, ca.to("/order/1").size(), "order read, then polled");
    }

    @Test
    void interruptedFinalizeThatDidNotTakeEffectIsSentAgain() throws Exception {
        readyOrderThenValid();
        ca.on("POST", "/order/1/finalize", cut(new SocketTimeoutException("Read timed out")),
                json(200, "order-valid.json"));
        ca.on("POST", "/order/1", json(200, "order-ready.json"));
        client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(2, ca.to("/order/1/finalize").size());
        assertEquals(1, ca.to("/order/1").size());
        int read = ca.seen.indexOf(ca.to("/order/1").get(0));
        assertTrue(read < ca.seen.indexOf(ca.to("/order/1/finalize").get(1)), "state read before sending again");
    }

    @Test
    void finalizeRecoveryIsBounded() throws Exception {
        readyOrderThenValid();
        ca.on("POST", "/order/1/finalize", html(502));
        ca.on("POST", "/order/1", json(200, "order-ready.json"));
        assertThrows(TransientFailureException.class, () -> client(Duration.ZERO).order(AB, CSR));
        assertEquals(OrderProcess.MAX_RECOVERIES + 1, ca.to("/order/1/finalize").size());
    }

    @Test
    void finalizeIsRepeatedDirectlyAfter503() throws Exception {
        readyOrderThenValid();
        ca.on("POST", "/order/1/finalize", html(503), json(200, "order-valid.json"));
        client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(2, ca.to("/order/1/finalize").size());
        assertTrue(ca.to("/order/1").isEmpty(), "no state read needed: 503 means not processed");
    }

    @Test
    void interruptedChallengeAnswerThatTookEffectIsNotRepeated() throws Exception {
        ca.on("POST", "/new-order", json(201, "order-pending.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/authz/a", json(200, "authz-a-valid.json"));
        ca.on("POST", "/authz/b", json(200, "authz-b-pending.json"), json(200, "authz-b-processing.json"));
        ca.on("POST", "/chall/b", cut(new NoHttpResponseException("failed to respond")));
        ca.on("POST", "/order/1", json(200, "order-ready.json"));
        ca.on("POST", "/order/1/finalize", json(200, "order-valid.json"));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(1, ca.to("/chall/b").size(), "answered once");
        assertEquals(2, ca.to("/authz/b").size(), "authorization read after the lost answer");
        assertEquals("", ca.to("/authz/b").get(1).payload(), "read with POST-as-GET");
    }

    @Test
    void interruptedChallengeAnswerStillPendingIsAnsweredAgain() throws Exception {
        ca.on("POST", "/new-order", json(201, "order-pending.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/authz/a", json(200, "authz-a-valid.json"));
        ca.on("POST", "/authz/b", json(200, "authz-b-pending.json"));
        ca.on("POST", "/chall/b", problem(500, "problem-server-internal.json"),
                json(200, "challenge-b-processing.json"));
        ca.on("POST", "/order/1", json(200, "order-ready.json"));
        ca.on("POST", "/order/1/finalize", json(200, "order-valid.json"));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(2, ca.to("/chall/b").size());
        assertEquals("{}", ca.to("/chall/b").get(1).payload());
    }

    // --- account and revocation ---

    @Test
    void newAccountIsRepeatedAfterALostResponse() throws Exception {
        ca = new FakeCa();
        ca.on("POST", "/new-acct", cut(new SocketException("Connection reset")),
                json(200, "account.json").header("Location", ACCT));
        ca.on("POST", "/acct/1", json(200, "account.json"));
        AcmeClient.AccountInfo a = client(Duration.ofSeconds(30)).account(true, true, false, List.of());
        assertEquals(URI.create(ACCT), a.location());
        assertEquals(2, ca.to("/new-acct").size(), "newAccount returns the existing account: safe to repeat");
    }

    @Test
    void contactUpdateIsRepeatedButDeactivationIsNot() throws Exception {
        ca.on("POST", "/acct/1", problem(500, "problem-server-internal.json"), json(200, "account.json"));
        client(Duration.ofSeconds(30)).account(false, false, false, List.of("mailto:x@example.org"));
        assertEquals(2, ca.to("/acct/1").size());

        ca = new FakeCa();
        ca.on("POST", "/new-acct", json(200, "account.json").header("Location", ACCT));
        ca.on("POST", "/acct/1", problem(500, "problem-server-internal.json"));
        AcmeException e = assertThrows(AcmeException.class,
                () -> client(Duration.ofSeconds(30)).account(false, false, true, List.of()));
        assertEquals(1, ca.to("/acct/1").size());
        assertTrue(e.getMessage().endsWith("not sent again: the CA may have acted on it; the account may be"
                + " deactivated already: 'lacme account' shows its state"), e.getMessage());
    }

    @Test
    void deactivationPrintsTheDeactivatedAccount() throws Exception {
        ca.on("POST", "/acct/1", new FakeCa.Resp(200, "application/json",
                "{\"status\":\"deactivated\",\"contact\":[],\"orders\":\"https://ca.test/acct/1/orders\"}", Map.of()));
        AcmeClient.AccountInfo a = client(Duration.ZERO).account(false, false, true, List.of());
        assertEquals("deactivated", Json.parseObject(a.json()).get("status"));
        assertEquals(Map.of("status", "deactivated"), Json.parseObject(ca.to("/acct/1").get(0).payload()));
    }

    @Test
    void interruptedRevocationIsSentAgainAndAlreadyRevokedThenMeansDone() throws Exception {
        ca.on("POST", "/revoke", cut(new SocketTimeoutException("Read timed out")),
                problem(400, "problem-already-revoked.json"));
        client(Duration.ofSeconds(30)).revoke(new byte[] {1, 2, 3}, 1);
        assertEquals(2, ca.to("/revoke").size());
        assertEquals(ca.to("/revoke").get(0).payload(), ca.to("/revoke").get(1).payload());
    }

    @Test
    void alreadyRevokedOnTheFirstAttemptStaysAnError() throws Exception {
        ca.on("POST", "/revoke", problem(400, "problem-already-revoked.json"));
        AcmeProblemException e = assertThrows(AcmeProblemException.class,
                () -> client(Duration.ofSeconds(30)).revoke(new byte[] {1, 2, 3}, null));
        assertTrue(e.problem().is("alreadyRevoked"));
        assertEquals(1, ca.to("/revoke").size());
    }

    @Test
    void revocationIsNotSignedWithTheJwkWhenTheAccountLookupFailsTransiently() throws Exception {
        ca = new FakeCa();
        ca.on("POST", "/new-acct", problem(500, "problem-server-internal.json"));
        assertThrows(TransientFailureException.class, () -> client(Duration.ZERO).revoke(new byte[] {1}, null));
        assertTrue(ca.to("/revoke").isEmpty(), "a CA error is not 'no account'");
    }

    @Test
    void unreachableCaFailsAfterBoundedAttempts() throws Exception {
        ca = new FakeCa();
        ca.replace("GET", "/dir", unreachable(new ConnectException("Connection refused")));
        TransientFailureException e = assertThrows(TransientFailureException.class,
                () -> client(Duration.ofSeconds(60)).account(false, false, false, List.of()));
        assertFalse(e.mayHaveBeenProcessed());
        assertEquals(RetryPolicy.MAX_TRANSIENT_TRIES, ca.unreached.size());
        assertEquals("GET https://ca.test/dir: ConnectException: Connection refused; gave up after 5 attempts",
                e.getMessage());
    }
}
