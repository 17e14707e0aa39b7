package lacme.client.acme;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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
class StateMachineTest {
    private static final String ACCT = FakeCa.BASE + "/acct/1";
    private static final byte[] CSR = {0x30, 0x03, 0x02, 0x01, 0x01};
    private static final List<AcmeClient.Identifier> B = List.of(new AcmeClient.Identifier("dns", "b.example"));

    private FakeCa ca;
    private FakeCa.FakeClock clock;
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        ca = new FakeCa();
        clock = new FakeCa.FakeClock();
        dir = Files.createTempDirectory("acme-states-");
        ca.on("POST", "/new-acct", json(200, "account.json").header("Location", ACCT));
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private AcmeClient client() throws Exception {
        return new AcmeClient(new AcmeConnection(ca, URI.create(FakeCa.BASE + "/dir"), ca.accountKey(null)), null,
                dir, Duration.ofSeconds(30), clock);
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
