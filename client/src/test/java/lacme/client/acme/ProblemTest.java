package lacme.client.acme;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Problem documents become typed exceptions and one clean line. */
class ProblemTest {
    private static AcmeResponse response(int status, String fixture, String... headers) {
        List<Map.Entry<String, String>> h = new java.util.ArrayList<>();
        h.add(Map.entry("Content-Type", "application/problem+json; charset=utf-8"));
        for (int i = 0; i < headers.length; i += 2) {
            h.add(Map.entry(headers[i], headers[i + 1]));
        }
        return new AcmeResponse(URI.create("https://ca.test/x"), status, h,
                FakeCa.fixture(fixture).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static AcmeException exception(int status, String fixture, String... headers) {
        return AcmeConnection.failure(response(status, fixture, headers), "POST");
    }

    @Test
    void subproblemsAreListedPerIdentifier() {
        AcmeException e = exception(400, "problem-subproblems.json");
        assertEquals(AcmeProblemException.class, e.getClass());
        assertEquals("urn:ietf:params:acme:error:malformed: Some of the identifiers requested were rejected (HTTP 400)"
                + " [dns:_example.org: urn:ietf:params:acme:error:malformed: Invalid underscore in DNS name"
                + " \"_example.org\"] [dns:example.net: urn:ietf:params:acme:error:rejectedIdentifier: This CA will"
                + " not issue for \"example.net\"]", e.getMessage());
        Problem p = ((AcmeProblemException) e).problem();
        assertEquals("malformed", p.shortType());
        assertEquals(2, p.subproblems().size());
        assertEquals("dns:example.net", p.subproblems().get(1).identifier());
    }

    @Test
    void typesMapToExceptionClasses() {
        assertInstanceOf(BadNonceException.class, exception(400, "problem-bad-nonce.json"));
        assertInstanceOf(RateLimitedException.class, exception(429, "problem-rate-limited.json"));
        assertInstanceOf(UserActionRequiredException.class, exception(403, "problem-user-action.json"));
        AcmeException e = exception(400, "problem-account-does-not-exist.json");
        assertTrue(((AcmeProblemException) e).problem().is("accountDoesNotExist"));
    }

    @Test
    void rateLimitWithoutRetryAfterStillAdvises() {
        AcmeException e = exception(429, "problem-rate-limited.json");
        assertTrue(e.getMessage().endsWith("; wait before trying again (see the CA's rate limit documentation)"));
        assertNull(((RateLimitedException) e).retryAfter());
    }

    @Test
    void rateLimitWithHttpDate() {
        String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusMinutes(10));
        RateLimitedException e = (RateLimitedException) exception(429, "problem-rate-limited.json", "Retry-After", date);
        assertTrue(e.retryAfter().toSeconds() > 500 && e.retryAfter().toSeconds() <= 600);
    }

    @Test
    void hostileTextIsFlattenedToOneLine() {
        AcmeException e = exception(500, "problem-hostile.json");
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r") || m.contains("\u001b"), m);
        assertEquals("urn:ietf:params:acme:error:serverInternal X-Injected: 1: line one line two [31mred", m);
    }

    @Test
    void bidiOverridesAreRemoved() {
        Problem p = Problem.parse(Map.of("type", "about:blank", "detail", "evil\u202egnp.exe\u2069 x"));
        assertEquals("about:blank: evil gnp.exe  x", p.toOneLine());
    }

    @Test
    void longDetailIsBounded() {
        String detail = "x".repeat(5000);
        Problem p = Problem.parse(Map.of("type", "about:blank", "detail", detail));
        assertTrue(p.toOneLine().length() < 1100);
    }

    @Test
    void nonProblemErrorNamesStatusAndUrl() {
        AcmeResponse r = new AcmeResponse(URI.create("https://ca.test/x"), 502,
                List.of(Map.entry("Content-Type", "text/html")), "<html>".getBytes());
        AcmeException e = AcmeConnection.failure(r, "POST");
        assertEquals(AcmeException.class, e.getClass());
        assertEquals("POST https://ca.test/x: HTTP 502 (text/html)", e.getMessage());
    }

    @Test
    void titleIsUsedWithoutDetail() {
        Problem p = Problem.parse(Map.of("type", "urn:ietf:params:acme:error:caa", "title", "CAA forbids"));
        assertEquals("urn:ietf:params:acme:error:caa: CAA forbids", p.toOneLine());
        assertEquals("about:blank", Problem.parse(Map.of()).type());
    }
}
