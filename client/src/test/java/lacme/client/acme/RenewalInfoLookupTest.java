package lacme.client.acme;

import lacme.common.proto.Control;
import lacme.common.proto.Control.RenewalInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static lacme.client.acme.FakeCa.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9773 renewalInfo on JSON fixtures: windows, hostile answers, Retry-After clamping, no signature. */
class RenewalInfoLookupTest extends ScriptedCaFixture {
    private static final String A = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
    private static final String B = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyF";
    private static final String C = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyG";
    private static final String D = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyH";

    @Test
    void withoutRenewalInfoInTheDirectoryNothingIsAsked() throws Exception {
        assertNull(client(Duration.ofSeconds(30)).renewalInfo(List.of(A)));
        assertTrue(ca.seen.stream().allMatch(r -> r.path().equals("/dir")), ca.seen.toString());
    }

    @Test
    void windowsPerCertificateWithoutAnyAccountKey() throws Exception {
        ca.replace("GET", "/dir", json(200, "directory-ari.json"));
        ca.on("GET", "/renewal-info/" + A, json(200, "renewal-info.json").header("Retry-After", "3600"));
        ca.on("GET", "/renewal-info/" + B, json(200, "renewal-info-inverted.json").header("Retry-After", "1"));
        ca.on("GET", "/renewal-info/" + C, json(200, "renewal-info-no-window.json"));
        ca.on("GET", "/renewal-info/" + D, json(200, "renewal-info.json").header("Retry-After", "99999999"));
        // no account key at all: a renewalInfo GET must not need accountd
        AcmeConnection conn = new AcmeConnection(ca, java.net.URI.create(FakeCa.BASE + "/dir"), null);
        List<RenewalInfo> r = new AcmeClient(conn, null, dir, Duration.ofSeconds(30), clock)
                .renewalInfo(List.of(A, B, C, D));
        assertEquals(4, r.size());
        RenewalInfo a = r.get(0);
        assertEquals(A, a.ariId());
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), a.start(), "widened outwards to whole seconds");
        assertEquals(Instant.parse("2026-12-02T10:00:01Z"), a.end());
        assertEquals(Duration.ofHours(1), a.retryAfter());
        assertTrue(a.explanationUrl().startsWith("https://ca.test/incident/42") && !a.explanationUrl().contains("\u001b"),
                a.explanationUrl());
        assertTrue(r.get(1).error().contains("is not before its end"), r.get(1).error());
        assertTrue(r.get(2).error().contains("no suggestedWindow"), r.get(2).error());
        assertEquals(Control.MAX_RETRY_AFTER, r.get(3).retryAfter(), "a CA cannot silence ARI for long");
        assertTrue(ca.seen.stream().noneMatch(q -> q.method().equals("POST")), "unauthenticated GETs only");
    }

    @Test
    void retryAfterIsClampedAndDefaulted() {
        assertEquals(Control.DEFAULT_RETRY_AFTER, RenewalInfoLookup.clamp(null));
        assertEquals(Control.MIN_RETRY_AFTER, RenewalInfoLookup.clamp(Duration.ZERO));
        assertEquals(Duration.ofHours(2), RenewalInfoLookup.clamp(Duration.ofHours(2)));
    }
}
