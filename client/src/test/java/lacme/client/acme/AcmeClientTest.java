package lacme.client.acme;

import lacme.common.json.Json;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static lacme.client.acme.FakeCa.json;
import static lacme.client.acme.FakeCa.pem;
import static lacme.client.acme.FakeCa.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order/account/revocation state machines against a scripted CA; no network. */
class AcmeClientTest extends ScriptedCaFixture {
    private void newOrder(String fixture) {
        ca.on("POST", "/new-order", json(201, fixture).header("Location", FakeCa.BASE + "/order/1"));
    }

    /** A pending order of {@link #AB} whose authorizations are the fixtures {@code authzA} and {@code authzB}. */
    private void pendingOrder(String authzA, String authzB) {
        newOrder("order-pending.json");
        ca.on("POST", "/authz/a", json(200, authzA));
        ca.on("POST", "/authz/b", json(200, authzB));
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void issuesAnsweringOnlyPendingAuthorizations() throws Exception {
        pendingOrder("authz-a-valid.json", "authz-b-pending.json");
        ca.on("POST", "/chall/b", json(200, "challenge-b-processing.json"));
        ca.on("POST", "/order/1", json(200, "order-pending.json"), json(200, "order-ready.json"),
                json(200, "order-valid.json"));
        ca.on("POST", "/order/1/finalize", json(200, "order-processing.json").header("Retry-After", "2"));
        ca.on("POST", "/cert/1", pem("chain.pem")
                .header("Link", "<" + FakeCa.BASE + "/cert/1/alt>;rel=\"alternate\", <" + FakeCa.BASE
                        + "/dir>;rel=\"index\""));
        ca.on("POST", "/cert/1/alt", pem("chain-alt.pem"));
        List<String> atAnswer = new ArrayList<>();
        ca.onRequest = s -> {
            if (s.path().equals("/chall/b")) {
                try {
                    Path f = dir.resolve("tokB_-9");
                    atAnswer.add(Files.readString(f));
                    atAnswer.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
                } catch (Exception e) {
                    atAnswer.add("missing: " + e);
                }
            }
        };

        AcmeClient.IssuedChain c = client(Duration.ofSeconds(30)).order(AB, CSR);

        assertTrue(c.chain().contains("BEGIN CERTIFICATE"));
        assertEquals(1, c.alternates().size());
        String thumb = ca.key.computeThumbprint().toString();
        assertEquals(List.of("tokB_-9." + thumb, "rw-r--r--"), atAnswer);
        assertEquals(1, ca.to("/chall/b").size());
        assertEquals("{}", ca.to("/chall/b").get(0).payload());
        assertTrue(ca.to("/chall/a").isEmpty(), "valid authorization skipped");
        assertEquals(List.of(), files(), "challenge file removed");
        Map<String, Object> fin = Json.parseObject(ca.to("/order/1/finalize").get(0).payload());
        assertEquals("MAMCAQE", fin.get("csr"));
        for (FakeCa.Seen s : ca.seen) {
            if (s.path().equals("/new-acct")) {
                assertTrue(s.header().containsKey("jwk") && !s.header().containsKey("kid"));
            } else if (s.method().equals("POST")) {
                assertEquals(ACCT, s.header().get("kid"), s.path());
                assertFalse(s.header().containsKey("jwk"));
            }
        }
        assertEquals("", ca.to("/order/1").get(0).payload(), "POST-as-GET");
        assertEquals(List.of(Poller.backoff(0), Poller.backoff(1), Duration.ofSeconds(2)), clock.sleeps,
                "backoff, then the finalize response's Retry-After");
    }

    @Test
    void readyOrderIsFinalizedWithoutChallenges() throws Exception {
        newOrder("order-ready.json");
        ca.on("POST", "/order/1/finalize", json(200, "order-valid.json"));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        AcmeClient.IssuedChain c = client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(List.of(), c.alternates());
        assertTrue(ca.to("/authz/a").isEmpty());
        assertTrue(clock.sleeps.isEmpty());
    }

    @Test
    void failedAuthorizationIsReportedWithTheChallengeError() throws Exception {
        pendingOrder("authz-a-valid.json", "authz-b-invalid.json");
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertEquals("authorization for dns:b.example is invalid; http-01: urn:ietf:params:acme:error:connection:"
                + " 127.0.0.1: Connection refused retry (HTTP 400)", e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void expiredAuthorizationFails() throws Exception {
        pendingOrder("authz-a-valid.json", "authz-b-expired.json");
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertEquals("authorization for dns:b.example is expired", e.getMessage());
    }

    @Test
    void orderTurningInvalidNamesTheFailedAuthorization() throws Exception {
        newOrder("order-pending.json");
        ca.on("POST", "/authz/a", json(200, "authz-a-pending.json"), json(200, "authz-a-valid.json"));
        ca.on("POST", "/authz/b", json(200, "authz-b-pending.json"), json(200, "authz-b-invalid.json"));
        ca.on("POST", "/chall/a", json(200, "challenge-b-processing.json"));
        ca.on("POST", "/chall/b", json(200, "challenge-b-processing.json"));
        ca.on("POST", "/order/1", json(200, "order-invalid-error.json"));
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertTrue(e.getMessage().startsWith("order for dns:a.example, dns:b.example is invalid:"
                + " urn:ietf:params:acme:error:unauthorized: Some authorizations failed (HTTP 403);"
                + " authorization for dns:b.example is invalid; http-01: urn:ietf:params:acme:error:connection"),
                e.getMessage());
        assertFalse(e.getMessage().contains("dns:a.example is"));
        assertEquals(1, ca.to("/chall/a").size());
        assertEquals(1, ca.to("/chall/b").size());
        int firstPoll = ca.seen.indexOf(ca.to("/order/1").get(0));
        assertTrue(ca.seen.indexOf(ca.to("/chall/b").get(0)) < firstPoll, "all challenges answered before polling");
        assertEquals(List.of(), files(), "files removed after a failure");
    }

    @Test
    void maliciousTokenIsRefusedBeforeAnyFileIsWritten() throws Exception {
        pendingOrder("authz-a-pending.json", "authz-b-bad-token.json");
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertEquals("invalid challenge token '../../etc/cron.d/x'", e.getMessage());
        assertTrue(ca.to("/chall/a").isEmpty(), "nothing answered");
        assertEquals(List.of(), files(), "tokA written then removed, nothing else");
        assertFalse(Files.exists(dir.resolve("../../etc/cron.d/x")));
    }

    @Test
    void missingHttp01ChallengeFails() throws Exception {
        pendingOrder("authz-a-valid.json", "authz-b-dns-only.json");
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertEquals("no challenge of the preference (http-01) that this client answers is offered for dns:b.example"
                + " (offered: dns-01)", e.getMessage());
    }

    @Test
    void noAnswerablePreferredChallengeNamesTheSection() throws Exception {
        pendingOrder("authz-a-valid.json", "authz-b-dns-only.json");
        AcmeException e = assertThrows(AcmeException.class,
                () -> client(Duration.ofSeconds(30)).order(AB, CSR, List.of("tls-alpn-01", "http-01"), "www",
                        null, null));
        assertEquals("[www] no challenge of the preference (tls-alpn-01, http-01) that this client answers is offered"
                + " for dns:b.example (offered: dns-01)", e.getMessage());
        assertTrue(ca.to("/chall/b").isEmpty(), "nothing answered");
    }

    @Test
    void pollingStopsAtTheTimeout() throws Exception {
        pendingOrder("authz-a-valid.json", "authz-b-pending.json");
        ca.on("POST", "/chall/b", json(200, "challenge-b-processing.json"));
        ca.on("POST", "/order/1", json(200, "order-pending.json"));
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(10)).order(AB, CSR));
        assertEquals("timeout (10 s) exceeded while waiting for the challenges of dns:a.example, dns:b.example",
                e.getMessage());
        long slept = clock.sleeps.stream().mapToLong(Duration::toMillis).sum();
        assertTrue(slept <= 10_000 && slept > 5_000, "slept " + slept);
        assertEquals(List.of(), files());
    }

    @Test
    void retryAfterBeyondTheTimeoutFailsAtOnce() throws Exception {
        newOrder("order-ready.json");
        ca.on("POST", "/order/1/finalize", json(200, "order-processing.json").header("Retry-After", "3600"));
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertTrue(e.getMessage().contains("the server asked to retry after 3600 s"), e.getMessage());
        assertTrue(clock.sleeps.isEmpty());
    }

    @Test
    void badNonceIsRetriedWithAFreshNonce() throws Exception {
        ca.on("POST", "/new-order", problem(400, "problem-bad-nonce.json"), problem(400, "problem-bad-nonce.json"),
                json(201, "order-ready.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/order/1/finalize", json(200, "order-valid.json"));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        client(Duration.ofSeconds(30)).order(AB, CSR);
        List<FakeCa.Seen> tries = ca.to("/new-order");
        assertEquals(3, tries.size());
        assertEquals(3, tries.stream().map(s -> s.header().get("nonce")).distinct().count());
    }

    @Test
    void badNonceRetriesAreBounded() throws Exception {
        ca.on("POST", "/new-order", problem(400, "problem-bad-nonce.json"));
        AcmeException e = assertThrows(BadNonceException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertTrue(e.getMessage().startsWith("urn:ietf:params:acme:error:badNonce: "));
        assertEquals(AcmeConnection.MAX_NONCE_TRIES, ca.to("/new-order").size());
    }

    @Test
    void rateLimitSaysWhenToComeBack() throws Exception {
        ca.on("POST", "/new-order", problem(429, "problem-rate-limited.json").header("Retry-After", "3600"));
        RateLimitedException e = assertThrows(RateLimitedException.class,
                () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertEquals(Duration.ofHours(1), e.retryAfter());
        assertTrue(e.getMessage().matches(".*\\(HTTP 429\\); do not try again before"
                + " \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"
                + " \\(in 3600 s, about 1 h 0 min\\)"), e.getMessage());
        assertEquals(1, ca.to("/new-order").size(), "rateLimited is not retried");
    }

    @Test
    void userActionRequiredNamesThePageAndTheTerms() throws Exception {
        ca.on("POST", "/new-order", problem(403, "problem-user-action.json")
                .header("Link", "<https://ca.test/tos-v2.pdf>;rel=\"terms-of-service\""));
        AcmeException e = assertThrows(UserActionRequiredException.class,
                () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertTrue(e.getMessage().contains("; visit https://ca.test/agree?token=W8Ih3PswD-8; terms of service:"
                + " https://ca.test/tos-v2.pdf (agree with 'lacme account --tos-agreed')"), e.getMessage());
    }

    @Test
    void userActionRequiredWithoutLinkNamesTheDirectoryTerms() throws Exception {
        ca.on("POST", "/new-order", problem(403, "problem-user-action.json"));
        AcmeException e = assertThrows(UserActionRequiredException.class,
                () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertTrue(e.getMessage().endsWith("; visit https://ca.test/agree?token=W8Ih3PswD-8; terms of service:"
                + " https://ca.test/tos.pdf (agree with 'lacme account --tos-agreed')"), e.getMessage());
    }

    @Test
    void certificateNotYetAvailableIsPolled() throws Exception {
        newOrder("order-valid.json");
        ca.on("POST", "/cert/1", new FakeCa.Resp(202, null, "", Map.of("Retry-After", "3")), pem("chain.pem"));
        AcmeClient.IssuedChain c = client(Duration.ofSeconds(30)).order(AB, CSR);
        assertTrue(c.chain().contains("BEGIN CERTIFICATE"));
        assertEquals(2, ca.to("/cert/1").size());
        assertEquals(List.of(Duration.ofSeconds(3)), clock.sleeps);
    }

    @Test
    void alternateChainsAreOfferedOnceEachAndAFailingOneIsSkipped() throws Exception {
        newOrder("order-valid.json");
        String b = FakeCa.BASE;
        ca.on("POST", "/cert/1", pem("chain.pem").header("Link", "<" + b + "/cert/1/alt1>;rel=\"alternate\", <"
                + b + "/cert/1/alt1>;rel=alternate, <" + b + "/cert/1/gone>;rel=\"alternate\", </cert/1/same>;"
                + " rel=\"alternate\", <" + b + "/cert/1>;rel=\"alternate\", <" + b + "/dir>;rel=\"index\""));
        ca.on("POST", "/cert/1/alt1", pem("chain-alt.pem"));
        ca.on("POST", "/cert/1/gone", problem(404, "problem-account-does-not-exist.json"));
        ca.on("POST", "/cert/1/same", pem("chain.pem"));
        AcmeClient.IssuedChain c = client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(FakeCa.fixture("chain.pem"), c.chain());
        assertEquals(List.of(FakeCa.fixture("chain-alt.pem")), c.alternates(),
                "duplicate links fetched once, the failing one skipped, copies of the main chain dropped");
        assertEquals(1, ca.to("/cert/1/alt1").size());
        assertEquals(1, ca.to("/cert/1").size(), "a self link is not fetched again");
    }

    @Test
    void alternateChainsAreBounded() throws Exception {
        newOrder("order-valid.json");
        StringBuilder links = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            links.append(i == 0 ? "" : ", ").append("<").append(FakeCa.BASE).append("/alt/").append(i)
                    .append(">;rel=\"alternate\"");
            ca.on("POST", "/alt/" + i, new FakeCa.Resp(200, AcmeConnection.PEM_CHAIN,
                    FakeCa.fixture("chain-alt.pem") + "\n".repeat(i + 1), Map.of()));
        }
        ca.on("POST", "/cert/1", pem("chain.pem").header("Link", links.toString()));
        AcmeClient.IssuedChain c = client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(OrderProcess.MAX_ALTERNATES, c.alternates().size());
        assertEquals(OrderProcess.MAX_ALTERNATES + 1, ca.seen.stream().filter(s -> s.path().startsWith("/alt/")
                || s.path().equals("/cert/1")).count());
    }

    @Test
    void wrongCertificateMediaTypeFails() throws Exception {
        newOrder("order-valid.json");
        ca.on("POST", "/cert/1", json(200, "account.json"));
        AcmeException e = assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR));
        assertTrue(e.getMessage().startsWith("unexpected Content-Type 'application/json'"), e.getMessage());
    }

    @Test
    void accountFetchIsPostAsGet() throws Exception {
        ca.on("POST", "/acct/1", json(200, "account.json"));
        AcmeClient.AccountInfo a = client(Duration.ZERO).account(false, false, false, List.of());
        assertEquals(URI.create(ACCT), a.location());
        assertTrue(a.json().contains("\"valid\""));
        assertEquals(Map.of("onlyReturnExisting", true), Json.parseObject(ca.to("/new-acct").get(0).payload()));
        assertEquals("", ca.to("/acct/1").get(0).payload());
    }

    @Test
    void registrationUpdatesContactsAndDeactivates() throws Exception {
        ca.on("POST", "/acct/1", json(200, "account.json"));
        client(Duration.ZERO).account(true, true, true, List.of("mailto:a@example.org"));
        assertEquals(Map.of("contact", List.of("mailto:a@example.org"), "termsOfServiceAgreed", true),
                Json.parseObject(ca.to("/new-acct").get(0).payload()));
        assertEquals(Map.of("contact", List.of("mailto:a@example.org"), "status", "deactivated"),
                Json.parseObject(ca.to("/acct/1").get(0).payload()));
    }

    @Test
    void missingAccountSaysHowToRegister() throws Exception {
        ca = new FakeCa();
        ca.on("POST", "/new-acct", problem(400, "problem-account-does-not-exist.json"));
        AcmeException e = assertThrows(AcmeException.class,
                () -> client(Duration.ZERO).account(false, false, false, List.of()));
        assertTrue(e.getMessage().endsWith("; register it with 'lacme account --register'"), e.getMessage());
    }

    @Test
    void revocationUsesTheAccountWhenThereIsOne() throws Exception {
        ca.on("POST", "/revoke", new FakeCa.Resp(200, null, "", Map.of()));
        client(Duration.ZERO).revoke(new byte[] {1, 2, 3}, 4);
        FakeCa.Seen r = ca.to("/revoke").get(0);
        assertEquals(ACCT, r.header().get("kid"));
        assertEquals(Map.of("certificate", "AQID", "reason", 4L), Json.parseObject(r.payload()));
    }

    @Test
    void revocationFallsBackToTheJwk() throws Exception {
        ca = new FakeCa();
        ca.on("POST", "/new-acct", problem(400, "problem-account-does-not-exist.json"));
        ca.on("POST", "/revoke", new FakeCa.Resp(200, null, "", Map.of()));
        client(Duration.ZERO).revoke(new byte[] {1, 2, 3}, null);
        FakeCa.Seen r = ca.to("/revoke").get(0);
        assertNull(r.header().get("kid"));
        assertTrue(r.header().get("jwk") instanceof Map);
        assertEquals(Map.of("certificate", "AQID"), Json.parseObject(r.payload()));
    }
}
