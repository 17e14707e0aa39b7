package lacme.accountd;

import lacme.common.acme.AcmeRequest.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static lacme.accountd.SigningPolicyTest.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signing policy beyond syntax: each request kind is recognised from header and payload,
 * key change and deactivation are refused unless granted, and the optional origin and
 * identifier pins refuse what they do not cover. The payloads are the ones lacme 0.8.2 and
 * our client send (and a compromised client's variations).
 */
class SigningRulesTest {
    static final String ACCT = "https://ca.example/acct/1";
    private final SigningPolicy dflt = new SigningPolicy("ES256");

    static String kid(String url) {
        return b64("{\"alg\":\"ES256\",\"kid\":\"" + ACCT + "\",\"nonce\":\"n\",\"url\":\"" + url + "\"}");
    }

    static String jwk(String url) {
        return b64("{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"},\"nonce\":\"n\",\"url\":\"" + url + "\"}");
    }

    static String line(String header, String payloadJson) {
        return header + "." + (payloadJson.isEmpty() ? "" : b64(payloadJson));
    }

    static final String KEY_CHANGE = line(kid("https://ca.example/key-change"),
            "{\"protected\":\"eyJ9\",\"payload\":\"e30\",\"signature\":\"c2ln\"}");
    static final String DEACTIVATE = line(kid(ACCT), "{\"status\":\"deactivated\"}");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "new account (ours)|jwk|{\"contact\":[\"mailto:a@b\"],\"termsOfServiceAgreed\":true}|NEW_ACCOUNT",
        "account lookup (lacme 0.8.2)|jwk|{\"onlyReturnExisting\":true}|NEW_ACCOUNT",
        "new account, no members|jwk|{}|NEW_ACCOUNT",
        "account fetch (lacme 0.8.2)|kid|{\"onlyReturnExisting\":true}|ACCOUNT_UPDATE",
        "contact update|kid|{\"contact\":[\"mailto:c@d\"]}|ACCOUNT_UPDATE",
        "new order|kid|{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"}]}|NEW_ORDER",
        "challenge answer|kid|{}|CHALLENGE",
        "finalize|kid|{\"csr\":\"MIIB\"}|FINALIZE",
        "POST-as-GET|kid||POST_AS_GET",
        "revocation with the account|kid|{\"certificate\":\"MIIB\",\"reason\":4}|REVOCATION",
        "revocation with the key itself|jwk|{\"certificate\":\"MIIB\"}|REVOCATION",
    })
    void classifiesAndSignsByDefault(String what, String signer, String payload, Kind kind) throws Exception {
        String url = "https://ca.example/x";
        SigningPolicy.Request r = dflt.check(line(signer.equals("kid") ? kid(url) : jwk(url),
                payload == null ? "" : payload));
        assertEquals(kind, r.acme().kind(), what);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "order mixed with a deactivation|kid|{\"identifiers\":[],\"status\":\"deactivated\"}"
                + "|unexpected member(s) [status] in a new order payload",
        "finalize with extras|kid|{\"csr\":\"x\",\"contact\":[]}|unexpected member(s) [contact] in an order finalization payload",
        "unknown status|kid|{\"status\":\"valid\"}|unknown status change in the JWS Payload",
        "unknown shape|kid|{\"foo\":1}|unrecognised ACME request: JWS Payload members [foo]",
        "payload not an object|kid|[1]|invalid JWS Payload: not a JSON object",
        "order signed with jwk|jwk|{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\"}]}"
                + "|new-order request signed with jwk instead of kid",
        "challenge signed with jwk is a new account, POST-as-GET is not|jwk||post-as-get request signed with jwk instead of kid",
        "identifier without value|kid|{\"identifiers\":[{\"type\":\"dns\"}]}"
                + "|invalid new-order payload: an identifier is not {type, value}",
        "empty identifiers|kid|{\"identifiers\":[]}|invalid new-order payload: identifiers is not a non-empty array",
    })
    void refusesWhatIsNoAcmeRequest(String what, String signer, String payload, String reason) {
        String url = "https://ca.example/x";
        SigningPolicy.Refusal r = assertThrows(SigningPolicy.Refusal.class,
                () -> dflt.check(line(signer.equals("kid") ? kid(url) : jwk(url), payload == null ? "" : payload)));
        assertEquals(reason, r.getMessage(), what);
    }

    @Test
    void keyChangeAndDeactivationAreRefusedUnlessGranted() throws Exception {
        String lacme082 = line(jwk("https://ca.example/new-acct"), "{\"onlyReturnExisting\":true,\"status\":\"deactivated\"}");
        String authz = line(kid("https://ca.example/authz/7"), "{\"status\":\"deactivated\"}");
        for (String l : List.of(DEACTIVATE, lacme082, authz)) {
            SigningPolicy.Refusal r = assertThrows(SigningPolicy.Refusal.class, () -> dflt.check(l));
            assertTrue(r.getMessage().startsWith("deactivation not allowed (see 'allow' in lacme-accountd.conf)"),
                    r.getMessage());
        }
        assertTrue(assertThrows(SigningPolicy.Refusal.class, () -> dflt.check(KEY_CHANGE)).getMessage()
                .startsWith("key-change not allowed"));

        SigningPolicy deact = new SigningPolicy("ES256", new SigningPolicy.Rules(Set.of(Kind.DEACTIVATION), null, null));
        assertEquals(Kind.DEACTIVATION, deact.check(DEACTIVATE).acme().kind());
        assertEquals(Kind.DEACTIVATION, deact.check(lacme082).acme().kind());
        assertThrows(SigningPolicy.Refusal.class, () -> deact.check(KEY_CHANGE), "one grant is not the other");

        SigningPolicy keyChange = new SigningPolicy("ES256", new SigningPolicy.Rules(Set.of(Kind.KEY_CHANGE), null, null));
        assertEquals(Kind.KEY_CHANGE, keyChange.check(KEY_CHANGE).acme().kind());
        assertThrows(SigningPolicy.Refusal.class, () -> keyChange.check(DEACTIVATE));
    }

    @Test
    void aPinnedOriginRefusesUrlsAndKidsElsewhere() throws Exception {
        SigningPolicy p = new SigningPolicy("ES256",
                new SigningPolicy.Rules(Set.of(), Origin.parse("https://CA.example:443/"), null));
        p.check(line(kid("https://ca.example/order/1"), ""));
        p.check(line(jwk("https://ca.example:443/new-acct"), "{}"));
        for (String url : List.of("https://evil.example/order/1", "http://ca.example/order/1",
                "https://ca.example:8443/order/1", "https://user@ca.example/order/1", "/order/1", "not a url")) {
            SigningPolicy.Refusal r = assertThrows(SigningPolicy.Refusal.class,
                    () -> p.check(line(kid(url), "")), url);
            assertEquals("url " + url + " is not on the pinned origin https://ca.example:443", r.getMessage());
        }
        String otherKid = b64("{\"alg\":\"ES256\",\"kid\":\"https://evil.example/acct/1\",\"nonce\":\"n\","
                + "\"url\":\"https://ca.example/order/1\"}");
        assertEquals("kid https://evil.example/acct/1 is not on the pinned origin https://ca.example:443",
                assertThrows(SigningPolicy.Refusal.class, () -> p.check(otherKid + ".")).getMessage());
        for (String bad : List.of("http://ca.example", "https://ca.example/directory", "ca.example", "https://")) {
            assertThrows(AccountdException.class, () -> Origin.parse(bad), bad);
        }
    }

    static String order(String... ids) {
        StringBuilder b = new StringBuilder("{\"identifiers\":[");
        for (int i = 0; i < ids.length; i++) {
            String[] tv = ids[i].split(":", 2);
            b.append(i > 0 ? "," : "").append("{\"type\":\"").append(tv[0]).append("\",\"value\":\"").append(tv[1])
                    .append("\"}");
        }
        return line(kid("https://ca.example/new-order"), b.append("]}").toString());
    }

    @Test
    void anIdentifierAllowlistLimitsNewOrders() throws Exception {
        SigningPolicy p = new SigningPolicy("ES256", new SigningPolicy.Rules(Set.of(), null,
                IdentifierAllowlist.parse("example.org *.example.net, 192.0.2.0/24 2001:db8::/32 198.51.100.7")));
        for (String ok : List.of("dns:example.org", "dns:EXAMPLE.org.", "dns:www.example.net", "dns:a.b.example.net",
                "dns:*.example.net", "dns:*.www.example.net", "ip:192.0.2.200", "ip:2001:db8:1::1",
                "ip:198.51.100.7")) {
            assertEquals(List.of(ok.split(":", 2)[1]),
                    p.check(order(ok)).acme().identifiers().stream().map(i -> i.value()).toList(), ok);
        }
        for (String no : List.of("dns:www.example.org", "dns:example.net", "dns:evilexample.net", "dns:example.org.evil",
                "ip:192.0.3.1", "ip:2001:db9::1", "ip:198.51.100.8", "ip:localhost", "ip:::ffff:192.0.2.1",
                "email:a@example.org")) {
            SigningPolicy.Refusal r = assertThrows(SigningPolicy.Refusal.class,
                    () -> p.check(order("dns:example.org", no)), no);
            assertEquals("new-order identifier " + no + " is not in the 'identifiers' allowlist", r.getMessage());
        }
        p.check(line(kid("https://ca.example/finalize"), "{\"csr\":\"x\"}")); // only orders are limited
        for (String bad : List.of("exa mple..org", "192.0.2.0/33", "*.", "a/b", "2001:db8::/129", "*.*.example.org")) {
            assertThrows(AccountdException.class, () -> IdentifierAllowlist.parse(bad), bad);
        }
        assertFalse(IdentifierAllowlist.parse("example.org").permits(
                new lacme.common.acme.AcmeRequest.Identifier("dns", "*.example.org")), "a wildcard needs *.name");
    }
}
