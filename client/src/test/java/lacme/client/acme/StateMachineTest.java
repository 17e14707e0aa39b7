package lacme.client.acme;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static lacme.client.acme.FakeCa.json;
import static lacme.client.acme.FakeCa.pem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authorization and order states not covered by {@link AcmeClientTest} (RFC 8555
 * §7.1.6), and every ACME problem type of RFC 8555 §6.7 (and later RFCs) as the operator
 * sees it.
 */
class StateMachineTest extends ScriptedCaFixture {
    private static final List<AcmeClient.Identifier> B = List.of(new AcmeClient.Identifier("dns", "b.example"));

    private AcmeClient client() throws Exception {
        return client(Duration.ofSeconds(30));
    }

    private static FakeCa.Resp body(String json) {
        return new FakeCa.Resp(200, "application/json", json, Map.of());
    }

    private static String order(String status) {
        return "{\"status\":\"" + status + "\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"b.example\"}],"
                + "\"authorizations\":[\"" + FakeCa.BASE + "/authz/b\"],\"finalize\":\"" + FakeCa.BASE
                + "/order/1/finalize\""
                + (status.equals("valid") ? ",\"certificate\":\"" + FakeCa.BASE + "/cert/1\"" : "")
                + "}";
    }

    private static String authz(String status, String challengeStatus) {
        return "{\"status\":\"" + status + "\",\"identifier\":{\"type\":\"dns\",\"value\":\"b.example\"},"
                + "\"challenges\":[{\"type\":\"http-01\",\"url\":\"" + FakeCa.BASE + "/chall/b\",\"status\":\""
                + challengeStatus + "\",\"token\":\"tokB\"}]}";
    }

    private void newOrder(String status) {
        ca.on("POST", "/new-order", body(order(status)).header("Location", FakeCa.BASE + "/order/1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deactivated", "revoked", "expired", "invalid", "bogus"})
    void anAuthorizationThatCannotBecomeValidFailsTheOrder(String status) throws Exception {
        newOrder("pending");
        ca.on("POST", "/authz/b", body(authz(status, "pending")));
        AcmeException e = assertThrows(AcmeException.class, () -> client().order(B, CSR));
        assertEquals("authorization for dns:b.example is " + (status.equals("bogus") ? "unknown" : status),
                e.getMessage());
        assertTrue(ca.to("/chall/b").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"processing", "valid"})
    void aChallengeAnsweredBeforeIsNotAnsweredAgain(String challengeStatus) throws Exception {
        newOrder("pending");
        ca.on("POST", "/authz/b", body(authz("pending", challengeStatus)));
        ca.on("POST", "/order/1", body(order("pending")), body(order("ready")));
        ca.on("POST", "/order/1/finalize", body(order("valid")));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        client().order(B, CSR);
        assertTrue(ca.to("/chall/b").isEmpty());
        assertEquals(2, ca.to("/order/1").size(), "polled until ready");
    }

    @Test
    void anOrderCreatedInvalidFailsWithoutPolling() throws Exception {
        newOrder("invalid");
        ca.on("POST", "/authz/b", body(authz("invalid", "invalid")));
        AcmeException e = assertThrows(AcmeException.class, () -> client().order(B, CSR));
        assertEquals("order for dns:b.example is invalid; authorization for dns:b.example is invalid", e.getMessage());
        assertTrue(clock.sleeps.isEmpty());
    }

    @Test
    void anOrderCreatedProcessingIsPolledToValid() throws Exception {
        newOrder("processing");
        ca.on("POST", "/order/1", body(order("processing")).header("Retry-After", "1"), body(order("valid")));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        client().order(B, CSR);
        assertTrue(ca.to("/order/1/finalize").isEmpty());
        assertEquals(List.of(Poller.INITIAL, Duration.ofSeconds(1)), clock.sleeps);
    }

    @Test
    void aFinalizedOrderTurningInvalidIsAnError() throws Exception {
        newOrder("ready");
        ca.on("POST", "/order/1/finalize", body(order("processing")));
        ca.on("POST", "/order/1", body(order("invalid").replace("{\"status\"", "{\"error\":{\"type\":"
                + "\"urn:ietf:params:acme:error:badCSR\",\"detail\":\"key too small\"},\"status\"")));
        ca.on("POST", "/authz/b", body(authz("valid", "valid")));
        AcmeException e = assertThrows(AcmeException.class, () -> client().order(B, CSR));
        assertEquals("order for dns:b.example is invalid: urn:ietf:params:acme:error:badCSR: key too small",
                e.getMessage());
    }

    @Test
    void anUnknownOrderStatusIsPolledLikePending() throws Exception {
        newOrder("pending");
        ca.on("POST", "/authz/b", body(authz("valid", "valid")));
        ca.on("POST", "/order/1", body(order("pondering")), body(order("ready")));
        ca.on("POST", "/order/1/finalize", body(order("valid")));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        client().order(B, CSR);
        assertEquals(2, ca.to("/order/1").size());
    }

    /** Every ACME error type: one line with the type, the detail and the HTTP status; the special ones typed. */
    @ParameterizedTest
    @ValueSource(strings = {"accountDoesNotExist", "alreadyReplaced", "alreadyRevoked", "badCSR", "badNonce",
        "badPublicKey", "badRevocationReason", "badSignatureAlgorithm", "caa", "compound", "connection", "dns",
        "externalAccountRequired", "incorrectResponse", "invalidContact", "invalidProfile", "malformed",
        "orderNotReady", "rateLimited", "rejectedIdentifier", "serverInternal", "tls", "unauthorized",
        "unsupportedContact", "unsupportedIdentifier", "userActionRequired"})
    void everyProblemTypeBecomesOneClearLine(String type) {
        String full = Problem.ACME_PREFIX + type;
        AcmeResponse r = new AcmeResponse(URI.create(FakeCa.BASE + "/x"), 400,
                List.of(Map.entry("Content-Type", "application/problem+json")),
                ("{\"type\":\"" + full + "\",\"detail\":\"what went wrong\",\"status\":400}").getBytes());
        AcmeException e = AcmeConnection.failure(r, "POST");
        assertTrue(e.getMessage().startsWith(full + ": what went wrong (HTTP 400)"), e.getMessage());
        Class<?> expected = switch (type) {
            case "badNonce" -> BadNonceException.class;
            case "rateLimited" -> RateLimitedException.class;
            case "userActionRequired" -> UserActionRequiredException.class;
            default -> AcmeProblemException.class;
        };
        assertEquals(expected, e.getClass());
        assertTrue(((AcmeProblemException) e).problem().is(type));
        if (type.equals("rateLimited") || type.equals("userActionRequired")) {
            assertTrue(e.getMessage().length() > (full + ": what went wrong (HTTP 400)").length() + 20,
                    "says what to do: " + e.getMessage());
        }
    }
}
