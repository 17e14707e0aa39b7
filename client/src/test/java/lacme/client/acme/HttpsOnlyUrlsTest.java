package lacme.client.acme;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static lacme.client.acme.FakeCa.fixture;
import static lacme.client.acme.FakeCa.json;
import static lacme.client.acme.FakeCa.pem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every URL the CA hands out must be https (issue 10, finding 8): a plain-http URL in the
 * directory, a Location header, an order, an authorization or a challenge is a clear error
 * and is never requested; a plain-http alternate chain link is skipped.
 */
class HttpsOnlyUrlsTest extends ScriptedCaFixture {
    private static FakeCa.Resp body(String fixture, String from, String to) {
        return new FakeCa.Resp(200, "application/json", fixture(fixture).replace(from, to), Map.of());
    }

    private void assertRefused(Exception e, String what, String url, String path) {
        assertTrue(e.getMessage().contains(what + " is not an https URL: " + url + " (ACME is spoken over https only)"),
                e.getMessage());
        assertEquals(List.of(), ca.to(path), path + " was never requested");
    }

    @Test
    void aPlainHttpDirectoryUrlIsNotFetched() throws Exception {
        AcmeConnection c = new AcmeConnection(ca, URI.create("http://ca.test/dir"), ca.accountKey(null));
        AcmeException e = assertThrows(AcmeException.class, c::directory);
        assertEquals("the ACME server (directory) URL is not an https URL: http://ca.test/dir"
                + " (ACME is spoken over https only)", e.getMessage());
        assertEquals(List.of(), ca.seen);
    }

    @Test
    void aPlainHttpDirectoryMember() throws Exception {
        ca.on("GET", "/dir2", body("directory.json", "https://ca.test/nonce", "http://ca.test/nonce"));
        AcmeConnection c = new AcmeConnection(ca, URI.create(FakeCa.BASE + "/dir2"), ca.accountKey(null));
        AcmeException e = assertThrows(AcmeException.class,
                () -> new AcmeClient(c, null, dir, Duration.ZERO, clock).account(false, false, false, List.of()));
        assertRefused(e, "'newNonce'", "http://ca.test/nonce", "/nonce");
    }

    @Test
    void aPlainHttpLocation() throws Exception {
        ca = new FakeCa(); // without the fixture's /new-acct answer
        ca.on("POST", "/new-acct", json(200, "account.json").header("Location", "http://ca.test/acct/1"));
        AcmeException e = assertThrows(AcmeException.class,
                () -> client(Duration.ZERO).account(false, false, false, List.of()));
        assertRefused(e, "'Location'", "http://ca.test/acct/1", "/acct/1");
    }

    private void order(FakeCa.Resp resp) {
        ca.on("POST", "/new-order", resp.header("Location", FakeCa.BASE + "/order/1"));
    }

    @Test
    void plainHttpOrderUrls() throws Exception {
        order(body("order-ready.json", "https://ca.test/order/1/finalize", "http://ca.test/order/1/finalize"));
        assertRefused(assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR)),
                "'finalize'", "http://ca.test/order/1/finalize", "/order/1/finalize");

        setUpScriptedCa();
        order(body("order-pending.json", "https://ca.test/authz/a", "http://ca.test/authz/a"));
        assertRefused(assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR)),
                "'authorizations'", "http://ca.test/authz/a", "/authz/a");

        setUpScriptedCa();
        order(json(201, "order-pending.json"));
        ca.on("POST", "/authz/a", json(200, "authz-a-valid.json"));
        ca.on("POST", "/authz/b", body("authz-b-pending.json", "https://ca.test/chall/b\"", "http://ca.test/chall/b\""));
        assertRefused(assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR)),
                "'url'", "http://ca.test/chall/b", "/chall/b");

        setUpScriptedCa();
        order(json(201, "order-ready.json"));
        ca.on("POST", "/order/1/finalize", body("order-valid.json", "https://ca.test/cert/1", "http://ca.test/cert/1"));
        assertRefused(assertThrows(AcmeException.class, () -> client(Duration.ofSeconds(30)).order(AB, CSR)),
                "'certificate'", "http://ca.test/cert/1", "/cert/1");
    }

    @Test
    void aPlainHttpAlternateChainIsSkipped() throws Exception {
        order(json(201, "order-ready.json"));
        ca.on("POST", "/order/1/finalize", json(200, "order-valid.json"));
        ca.on("POST", "/cert/1", pem("chain.pem").header("Link", "<http://ca.test/cert/1/alt>;rel=\"alternate\""));
        ca.on("POST", "/cert/1/alt", pem("chain-alt.pem"));
        AcmeClient.IssuedChain c = client(Duration.ofSeconds(30)).order(AB, CSR);
        assertEquals(List.of(), c.alternates());
        assertEquals(List.of(), ca.to("/cert/1/alt"));
    }
}
