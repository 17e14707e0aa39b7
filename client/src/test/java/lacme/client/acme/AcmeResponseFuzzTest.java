package lacme.client.acme;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes what the client takes from a CA's HTTP response besides the body's objects: the
 * input is split at NUL bytes into Content-Type, Location, Link, Replay-Nonce, Retry-After
 * and the body. Contract: {@link AcmeResponse#json()} and {@link AcmeResponse#location()}
 * fail only with {@link AcmeException}; {@code problem()}, {@code nonce()},
 * {@code retryAfter()} and {@code links()} never fail; a nonce is base64url, a delay is not
 * negative, every URL is absolute http(s) with a host; messages are one safe line.
 */
class AcmeResponseFuzzTest {
    private static final String[] NAMES = {"Content-Type", "Location", "Link", "Replay-Nonce", "Retry-After"};
    private static final URI HERE = URI.create("https://ca.example/acme/new-order");

    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    @DictionaryEntries({"application/json", "application/problem+json", "; charset=utf-8", "<https://a/b>;rel=\"up\"",
            ";rel=up", ", <", "Fri, 31 Dec 1999 23:59:59 GMT", "\\x00"})
    void read(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        String[] parts = text.split("\0", NAMES.length + 1);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 0; i < Math.min(parts.length, NAMES.length); i++) {
            headers.add(Map.entry(NAMES[i], parts[i]));
        }
        byte[] body = parts.length > NAMES.length
                ? parts[NAMES.length].getBytes(StandardCharsets.ISO_8859_1) : new byte[0];
        AcmeResponse r = new AcmeResponse(HERE, 400, headers, body);

        try {
            r.json();
        } catch (AcmeException e) {
            AcmeJsonFuzzTest.oneLine(e.getMessage());
        }
        Problem p = r.problem();
        if (p != null) {
            AcmeJsonFuzzTest.oneLine(p.toOneLine());
        }
        try {
            url(r.location());
        } catch (AcmeException e) {
            AcmeJsonFuzzTest.oneLine(e.getMessage());
        }
        String nonce = r.nonce();
        assertTrue(nonce == null || nonce.matches("[A-Za-z0-9_-]+"), nonce);
        Optional<Duration> delay = r.retryAfter();
        assertTrue(delay.isEmpty() || !delay.get().isNegative(), () -> delay.get().toString());
        r.links("up").forEach(AcmeResponseFuzzTest::url);
        r.link("alternate");
    }

    private static void url(URI u) {
        if (u != null) {
            assertTrue(u.isAbsolute() && u.getHost() != null, u.toString());
        }
    }
}
