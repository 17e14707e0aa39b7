package lacme.client.acme;

import lacme.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing of directory, order, authorization and challenge fixtures; token validation. */
class ResourcesTest {
    private static final URI ORDER = URI.create("https://ca.test/order/1");

    private static Map<String, Object> fixture(String name) throws Exception {
        return Json.parseObject(FakeCa.fixture(name));
    }

    @ParameterizedTest
    @CsvSource({"order-pending.json,PENDING", "order-ready.json,READY", "order-processing.json,PROCESSING",
            "order-valid.json,VALID", "order-invalid.json,INVALID", "order-invalid-error.json,INVALID"})
    void orderStates(String file, Status status) throws Exception {
        Order o = Order.parse(ORDER, fixture(file));
        assertEquals(status, o.status());
        assertEquals(ORDER, o.location());
        assertEquals(URI.create("https://ca.test/order/1/finalize"), o.finalizeUrl());
        assertEquals(status == Status.VALID, o.certificate() != null);
    }

    @Test
    void orderDetails() throws Exception {
        Order o = Order.parse(ORDER, fixture("order-invalid-error.json"));
        assertEquals(List.of(URI.create("https://ca.test/authz/a"), URI.create("https://ca.test/authz/b")),
                o.authorizations());
        assertEquals("unauthorized", o.error().shortType());
    }

    @Test
    void validOrderWithoutCertificateIsMalformed() {
        assertThrows(AcmeException.class, () -> Order.parse(ORDER, fixture("order-valid-no-certificate.json")));
    }

    @Test
    void orderUrlsMustBeHttp() throws Exception {
        Map<String, Object> o = fixture("order-pending.json");
        o.put("finalize", "file:///etc/passwd");
        assertThrows(AcmeException.class, () -> Order.parse(ORDER, o));
        o.put("finalize", "/relative");
        assertThrows(AcmeException.class, () -> Order.parse(ORDER, o));
    }

    @Test
    void unknownStatusIsUnknown() throws Exception {
        Map<String, Object> o = fixture("order-pending.json");
        o.put("status", "thinking");
        assertEquals(Status.UNKNOWN, Order.parse(ORDER, o).status());
        o.put("status", 3);
        assertEquals(Status.UNKNOWN, Order.parse(ORDER, o).status());
    }

    @Test
    void authorizationStates() throws Exception {
        URI u = URI.create("https://ca.test/authz/b");
        Authorization p = Authorization.parse(u, fixture("authz-b-pending.json"));
        assertEquals(Status.PENDING, p.status());
        assertEquals("dns:b.example", p.identifier());
        assertEquals(3, p.challenges().size());
        Challenge h = p.challenge(Challenge.HTTP_01);
        assertEquals("tokB_-9", h.token());
        assertEquals(URI.create("https://ca.test/chall/b"), h.url());
        assertEquals(Status.PENDING, h.status());
        assertNull(p.challenge("dns-account-01"));

        Authorization inv = Authorization.parse(u, fixture("authz-b-invalid.json"));
        assertEquals(Status.INVALID, inv.status());
        assertEquals("connection", inv.challenge(Challenge.HTTP_01).error().shortType());
        assertEquals(Status.VALID, Authorization.parse(u, fixture("authz-a-valid.json")).status());
        assertEquals(Status.EXPIRED, Authorization.parse(u, fixture("authz-b-expired.json")).status());
    }

    @Test
    void wildcardAuthorization() throws Exception {
        Map<String, Object> a = fixture("authz-b-pending.json");
        a.put("wildcard", true);
        assertEquals("dns:*.b.example", Authorization.parse(URI.create("https://ca.test/a"), a).identifier());
    }

    @Test
    void authorizationWithoutIdentifierIsMalformed() throws Exception {
        Map<String, Object> a = fixture("authz-b-pending.json");
        a.remove("identifier");
        assertThrows(AcmeException.class, () -> Authorization.parse(URI.create("https://ca.test/a"), a));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "A-b_9", "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"})
    void goodTokens(String t) {
        assertTrue(Challenge.validToken(t));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../x", "a/b", "a b", "a.b", "a\nb", "tok=", "é", "a\u0000"})
    void badTokens(String t) {
        assertFalse(Challenge.validToken(t));
    }

    @Test
    void absentOrHugeTokenIsBad() {
        assertFalse(Challenge.validToken(null));
        assertFalse(Challenge.validToken("a".repeat(257)));
    }

    @Test
    void directory() throws Exception {
        Directory d = Directory.parse(fixture("directory.json"));
        assertEquals(URI.create("https://ca.test/nonce"), d.newNonce());
        assertEquals("https://ca.test/tos.pdf", d.termsOfService());
        assertNull(d.renewalInfo());
        Map<String, Object> m = fixture("directory.json");
        m.remove("revokeCert");
        AcmeException e = assertThrows(AcmeException.class, () -> Directory.parse(m).revokeCert());
        assertTrue(e.getMessage().contains("revokeCert"));
        m.remove("newOrder");
        assertThrows(AcmeException.class, () -> Directory.parse(m));
    }
}
