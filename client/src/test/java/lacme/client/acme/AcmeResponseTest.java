package lacme.client.acme;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Header handling: Link relations, Location, Replay-Nonce, media types. */
class AcmeResponseTest {
    private static AcmeResponse r(String... headers) {
        List<Map.Entry<String, String>> h = new java.util.ArrayList<>();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(Map.entry(headers[i], headers[i + 1]));
        }
        return new AcmeResponse(URI.create("https://ca.test/cert/1"), 200, h, "{}".getBytes());
    }

    @Test
    void alternateLinksInOneOrSeveralHeaders() {
        AcmeResponse x = r("Link", "<https://ca.test/cert/1/1>;rel=\"alternate\", <https://ca.test/dir>;rel=\"index\"",
                "link", "</cert/1/2>; rel=alternate", "Link", "<https://ca.test/cert/1/3>; title=\"x\"; rel=\"up alternate\"");
        assertEquals(List.of(URI.create("https://ca.test/cert/1/1"), URI.create("https://ca.test/cert/1/2"),
                URI.create("https://ca.test/cert/1/3")), x.links("alternate"));
        assertEquals("https://ca.test/dir", x.link("index"));
        assertNull(x.link("terms-of-service"));
    }

    @Test
    void malformedLinksAreIgnored() {
        assertEquals(List.of(), r("Link", "<javascript:alert(1)>;rel=alternate").links("alternate"));
        assertEquals(List.of(), r("Link", "garbage").links("alternate"));
    }

    @Test
    void locationIsResolved() throws Exception {
        assertEquals(URI.create("https://ca.test/order/9"), r("Location", "/order/9").location());
        assertNull(r().location());
        assertThrows(AcmeException.class, () -> r("Location", "ftp://x/").location());
    }

    @Test
    void nonceMustBeBase64Url() {
        assertEquals("abc_-1", r("Replay-Nonce", "abc_-1").nonce());
        assertNull(r("Replay-Nonce", "a b").nonce());
        assertNull(r("Replay-Nonce", "abc=").nonce());
        assertNull(r().nonce());
    }

    @Test
    void jsonNeedsTheJsonMediaType() throws Exception {
        assertEquals(Map.of(), r("Content-Type", "application/json; charset=utf-8").json());
        assertThrows(AcmeException.class, () -> r("Content-Type", "text/plain").json());
        assertThrows(AcmeException.class, () -> r().json());
        assertNull(r("Content-Type", "application/json").problem());
    }

    /** Fuzzing finding: a Location the JDK cannot parse escaped as IllegalArgumentException. */
    @Test
    void malformedLocationIsAnAcmeExceptionNotIllegalArgument() {
        AcmeException e = assertThrows(AcmeException.class, () -> r("Location", "https://ca/order\", x").location());
        assertEquals("malformed ACME response: 'Location' is not a URL", e.getMessage());
        assertThrows(AcmeException.class, () -> r("Location", "%zz").location());
    }
}
