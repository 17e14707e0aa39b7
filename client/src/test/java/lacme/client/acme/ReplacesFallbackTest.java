package lacme.client.acme;

import lacme.common.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static lacme.client.acme.FakeCa.json;
import static lacme.client.acme.FakeCa.pem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The renewal matters more than its link to the old certificate (issue 13): a CA that refuses
 * {@code replaces} (alreadyReplaced, a certificate of another account, or an internal error as
 * Pebble 2.10 gives after a killed run: a 500, which reaches the order as a transient failure
 * not replayed) gets the order once more without it; any other problem fails the order.
 */
class ReplacesFallbackTest extends ScriptedCaFixture {
    private static final String ARI_ID = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";

    private static FakeCa.Resp problem(int status, String type) {
        return new FakeCa.Resp(status, "application/problem+json",
                "{\"type\":\"urn:ietf:params:acme:error:" + type + "\",\"detail\":\"refused\",\"status\":" + status + "}",
                Map.of());
    }

    private AcmeClient.IssuedChain order() throws Exception {
        return client(Duration.ofSeconds(30)).order(AB, CSR, List.of(Challenge.HTTP_01), "s", null, ARI_ID);
    }

    @ParameterizedTest
    @CsvSource({"409, alreadyReplaced", "403, unauthorized", "400, malformed", "500, serverInternal"})
    void refusedReplacesIsDroppedAndTheOrderSentAgain(int status, String type) throws Exception {
        ca.replace("GET", "/dir", json(200, "directory-ari.json"));
        ca.on("POST", "/new-order", problem(status, type),
                json(201, "order-ready.json").header("Location", FakeCa.BASE + "/order/1"));
        ca.on("POST", "/order/1/finalize", json(200, "order-valid.json"));
        ca.on("POST", "/cert/1", pem("chain.pem"));
        order();
        List<FakeCa.Seen> sent = ca.to("/new-order");
        assertEquals(2, sent.size());
        assertEquals(ARI_ID, Json.parseObject(sent.get(0).payload()).get("replaces"));
        assertTrue(!Json.parseObject(sent.get(1).payload()).containsKey("replaces"), sent.get(1).payload());
    }

    @ParameterizedTest
    @CsvSource({"400, rejectedIdentifier", "400, badCSR"})
    void otherProblemsFailTheOrder(int status, String type) throws Exception {
        ca.replace("GET", "/dir", json(200, "directory-ari.json"));
        ca.on("POST", "/new-order", problem(status, type));
        AcmeException e = assertThrows(AcmeException.class, this::order);
        assertTrue(e.getMessage().contains(type), e.getMessage());
        assertEquals(1, ca.to("/new-order").size());
    }
}
