package lacme.client.acme;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import lacme.common.json.Json;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the ACME objects the client reads from the CA: the input is a response body,
 * parsed as JSON and then read as each resource (directory, order, authorization with its
 * challenges, problem document). Contract: a malformed object is an {@link AcmeException}
 * and nothing else; a problem document always parses (leniently) and prints as one
 * terminal-safe line; every URL kept is absolute http(s) with a host; a challenge token is
 * used only when it is safe as a file name.
 */
class AcmeJsonFuzzTest {
    private static final URI HERE = URI.create("https://ca.example/acme/x/1");

    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    @DictionaryEntries({"\"status\":\"valid\"", "\"url\":\"https://a/b\"", "\"token\":\"t\"", "\"type\":\"http-01\"",
            "\"identifier\":{\"type\":\"dns\",\"value\":\"a\"}", "\"challenges\":[", "\"subproblems\":[",
            "\"error\":{", "\"detail\":\"", "\"authorizations\":[", "\"finalize\":\"https://a/f\"",
            "\"certificate\":", "\"newNonce\":\"http://a/n\"", "\"newAccount\":\"https://a/a\"",
            "\"newOrder\":\"https://a/o\"", "\"meta\":{", "\"wildcard\":true", "\\u2028", "\\u009b"})
    void parse(byte[] data) {
        Map<String, Object> o;
        try {
            o = Json.parseObject(new String(data, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            return;
        }
        assertNotNull(o);
        oneLine(Problem.parse(o).toOneLine());
        try {
            Directory d = Directory.parse(o);
            url(d.newNonce());
            url(d.newAccount());
            url(d.newOrder());
            url(d.keyChange());
            url(d.renewalInfo());
        } catch (AcmeException e) {
            oneLine(e.getMessage());
        }
        try {
            Order order = Order.parse(HERE, o);
            order.authorizations().forEach(AcmeJsonFuzzTest::url);
            url(order.finalizeUrl());
            url(order.certificate());
            if (order.error() != null) {
                oneLine(order.error().toOneLine());
            }
        } catch (AcmeException e) {
            oneLine(e.getMessage());
        }
        try {
            Authorization a = Authorization.parse(HERE, o);
            oneLine(a.identifier());
            oneLine(a.failure());
            for (Challenge c : a.challenges()) {
                url(c.url());
                try {
                    String ka = c.keyAuthorization("thumb");
                    assertTrue(Challenge.validToken(c.token()) && ka.equals(c.token() + ".thumb"), ka);
                } catch (AcmeException e) {
                    oneLine(e.getMessage());
                }
            }
        } catch (AcmeException e) {
            oneLine(e.getMessage());
        }
    }

    private static void url(URI u) {
        if (u != null) {
            assertTrue(u.isAbsolute() && u.getHost() != null && u.getScheme().toLowerCase().startsWith("http"),
                    u.toString());
        }
    }

    /** Text shown to the operator must be one terminal-safe line. */
    static void oneLine(String s) {
        assertTrue(s.codePoints().allMatch(AcmeJsonFuzzTest::safe), () -> "not one safe line: " + s);
    }

    private static boolean safe(int c) {
        int t = Character.getType(c);
        return t != Character.CONTROL && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR
                && !(c >= 0x202a && c <= 0x202e) && !(c >= 0x2066 && c <= 0x2069) && c != 0x200e && c != 0x200f;
    }
}
