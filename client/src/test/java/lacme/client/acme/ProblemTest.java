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
        assertTrue(e.getMessage().endsWith("; wait before trying again (the CA sent no Retry-After; see its rate limit"
                + " documentation)"), e.getMessage());
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
    void rateLimitNamesTheTimeThePageAndEachLimitedIdentifier() {
        RateLimitedException e = (RateLimitedException) exception(429, "problem-rate-limited-subproblems.json",
                "Retry-After", "5400");
        String m = e.getMessage();
        assertTrue(m.startsWith("urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many new"
                + " orders recently (HTTP 429)"
                + " [dns:a.example: urn:ietf:params:acme:error:rateLimited: too many certificates for registered"
                + " domain]"
                + " [dns:b.example: urn:ietf:params:acme:error:rateLimited: too many failed authorizations];"
                + " do not try again before "), m);
        assertTrue(m.endsWith("(in 5400 s, about 1 h 30 min); details:"
                + " https://ca.test/docs/rate-limits#new-orders"), m);
        assertEquals(java.time.Duration.ofMinutes(90), e.retryAfter());
    }

    @Test
    void rateLimitTimeIsTheAnswerTimePlusRetryAfter() {
        Problem p = Problem.parse(Map.of("type", Problem.ACME_PREFIX + "rateLimited", "detail", "slow down"));
        RateLimitedException e = new RateLimitedException(p, java.time.Duration.ofSeconds(90),
                java.time.Instant.parse("2026-03-01T12:00:00.700Z"));
        assertEquals("urn:ietf:params:acme:error:rateLimited: slow down; do not try again before 2026-03-01T12:01:30Z"
                + " (in 90 s)", e.getMessage());
    }

    @Test
    void userActionRequiredResolvesARelativeInstance() {
        AcmeException e = exception(403, "problem-user-action-relative.json");
        assertTrue(e.getMessage().endsWith("(HTTP 403); visit https://ca.test/agree?token=rel-1"), e.getMessage());
    }

    @Test
    void userActionRequiredWithoutPageOrTermsStillSaysWhatToDo() {
        AcmeException e = exception(403, "problem-user-action-bare.json");
        assertEquals("urn:ietf:params:acme:error:userActionRequired: Account needs attention (HTTP 403); the CA"
                + " requires an action on its website before it serves this account again (new terms of service:"
                + " agree with 'lacme account --tos-agreed')", e.getMessage());
    }

    @Test
    void userActionRequiredFallsBackToTheDirectoryTerms() {
        AcmeException e = AcmeConnection.failure(response(403, "problem-user-action-bare.json"), "POST",
                "https://ca.test/tos.pdf");
        assertTrue(e.getMessage().endsWith("(HTTP 403); terms of service: https://ca.test/tos.pdf (agree with"
                + " 'lacme account --tos-agreed')"), e.getMessage());
        AcmeException linked = AcmeConnection.failure(response(403, "problem-user-action-bare.json", "Link",
                "<https://ca.test/tos-v3.pdf>;rel=\"terms-of-service\""), "POST", "https://ca.test/tos.pdf");
        assertTrue(linked.getMessage().contains("terms of service: https://ca.test/tos-v3.pdf"), "the Link wins");
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

    /** Fuzzing finding: C1 controls (U+009B is CSI, like ESC [) reached the operator's terminal. */
    @Test
    void c1ControlsAreStrippedFromTheOneLine() {
        Problem p = Problem.parse(Map.of("type", "urn:ietf:params:acme:error:malformed", "detail", "x\u009b31my",
                "subproblems", List.of(Map.of("type", "t", "identifier", Map.of("type", "dns", "value", "a\u0085\u009bb")))));
        assertEquals("urn:ietf:params:acme:error:malformed: x 31my [dns:a b: t]", p.toOneLine());
    }
}
