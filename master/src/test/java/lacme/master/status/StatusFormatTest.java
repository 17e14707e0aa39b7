package lacme.master.status;

import lacme.common.json.Json;
import lacme.master.install.Pem;
import lacme.master.install.TestCerts;
import lacme.master.renew.CurrentCert;
import lacme.master.renew.RenewalState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status line and the JSON schema (docs/status-json.md) for each state a section can be in. */
class StatusFormatTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2030-01-01T00:00:00Z");

    private Map<String, String> section(String file) {
        Map<String, String> c = new HashMap<>();
        c.put("certificate", dir.resolve(file).toString());
        c.put("subject", "/CN=www.example.org");
        return c;
    }

    private Map<String, String> withCert(long daysLeft, String issuerCn) throws Exception {
        Map<String, String> c = section("c" + daysLeft + ".crt");
        var issuer = TestCerts.spec().subject("CN=" + issuerCn).key(TestCerts.key("rsa2")).ca().build();
        Files.writeString(Path.of(c.get("certificate")), Pem.encode(TestCerts.spec().dns("a.example", "b.example")
                .issuer(issuer, TestCerts.key("rsa2"))
                .validity(now.minus(Duration.ofDays(60)), now.plus(Duration.ofDays(daysLeft))).build()));
        return c;
    }

    @Test
    void validNotDue() throws Exception {
        SectionStatus s = Inspector.inspect("www", withCert(40, "Test CA"), null, now);
        assertEquals(SectionStatus.State.VALID, s.state());
        assertFalse(s.due());
        assertEquals(Instant.parse("2030-01-07T16:00:00Z"), s.nextRenewal(), "a third of 100 days before notAfter");
        assertEquals("[www] a.example, b.example; EC-P256; issuer \"Test CA\"; expires 2030-02-10 00:00:00 UTC"
                + " (40 days left); next run: skip (Valid until 2030-02-10 00:00:00 UTC), due 2030-01-07 16:00:00 UTC",
                StatusFormat.line(s, now));
    }

    @Test
    void dueByMinDaysAndForce() throws Exception {
        SectionStatus s = Inspector.inspect("www", withCert(10, "Test CA"), null, now);
        assertTrue(s.due());
        assertEquals("renew", s.action());
        assertTrue(StatusFormat.line(s, now).endsWith("next run: renew (less than a third of its lifetime left)"),
                StatusFormat.line(s, now));
        Map<String, String> explicit = withCert(30, "Test CA");
        explicit.put("min-days", "31");
        assertTrue(StatusFormat.line(Inspector.inspect("www", explicit, null, now), now)
                .endsWith("next run: renew (at most 31 days left (min-days))"));
        assertTrue(Inspector.inspect("www", withCert(80, "Test CA"), 90, now).due(), "--min-days=90");
        SectionStatus f = Inspector.inspect("www", withCert(80, "Test CA"), -1, now);
        assertTrue(f.due());
        assertEquals("forced (--force)", f.reason());
    }

    @Test
    void expiredMissingGarbageUnconfigured() throws Exception {
        SectionStatus e = Inspector.inspect("www", withCert(-3, "Test CA"), null, now);
        assertEquals(SectionStatus.State.EXPIRED, e.state());
        assertTrue(StatusFormat.line(e, now).contains("expired 2029-12-29 00:00:00 UTC (3 days ago)"));
        assertEquals(-3L, e.daysLeft(now));

        SectionStatus m = Inspector.inspect("www", section("none.crt"), null, now);
        assertEquals(SectionStatus.State.MISSING, m.state());
        assertTrue(m.due());
        assertEquals(List.of("www.example.org"), m.names(), "the configured names");
        assertEquals("no certificate yet", m.reason());

        Map<String, String> g = section("garbage.crt");
        Files.writeString(Path.of(g.get("certificate")), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        SectionStatus u = Inspector.inspect("www", g, null, now);
        assertEquals(SectionStatus.State.UNREADABLE, u.state());
        assertTrue(u.due(), "newOrder renews an unreadable certificate");
        assertTrue(u.reason().startsWith("certificate unreadable ("), u.reason());

        SectionStatus n = Inspector.inspect("www", Map.of("subject", "/CN=x.example"), null, now);
        assertEquals(SectionStatus.State.UNCONFIGURED, n.state());
        assertEquals("none", n.action());
        assertFalse(n.due());
    }

    @Test
    @SuppressWarnings("unchecked")
    void rememberedAriWindowAndChosenTime() throws Exception {
        Map<String, String> c = withCert(40, "Test CA");
        String id = CurrentCert.read(Path.of(c.get("certificate"))).ariId();
        RenewalState state = RenewalState.inMemory();
        Instant start = now.plus(Duration.ofDays(2));
        Instant chosen = start.plus(Duration.ofHours(30));
        state.put("www", new RenewalState.Entry(id, start, start.plus(Duration.ofDays(2)), chosen,
                "https://ca.example/incident", now.minusSeconds(1), null));
        SectionStatus s = Inspector.inspect("www", c, null, state, now);
        assertFalse(s.due());
        assertEquals(new SectionStatus.Ari(start, start.plus(Duration.ofDays(2)), chosen, "https://ca.example/incident"),
                s.ari());
        assertEquals(chosen, s.nextRenewal(), "the remembered point, not a new roll");
        assertTrue(StatusFormat.line(s, now).contains("; ARI window 2030-01-03 00:00:00 UTC .. 2030-01-05 00:00:00 UTC,"
                + " chosen 2030-01-04 06:00:00 UTC;"), StatusFormat.line(s, now));
        Map<String, Object> ari = Json.object(Json.parseObject(StatusFormat.json(List.of(s), now))
                .entrySet().stream().filter(e -> e.getKey().equals("sections")).findFirst()
                .map(e -> (Map<String, Object>) ((List<?>) e.getValue()).get(0)).orElseThrow(), "ari");
        assertEquals("2030-01-04T06:00:00Z", ari.get("chosen"));
        assertEquals("https://ca.example/incident", ari.get("explanationURL"));
        assertTrue(Inspector.inspect("www", c, null, state, chosen.plusSeconds(1)).due(), "past the chosen point");
        RenewalState other = RenewalState.inMemory();
        other.put("www", new RenewalState.Entry("AAAA.AQ", start, start.plus(Duration.ofDays(2)), chosen, null, null, null));
        assertNull(Inspector.inspect("www", c, null, other, now).ari(), "another certificate's window is not shown");
    }

    @Test
    void hostileIssuerIsSanitised() throws Exception {
        SectionStatus s = Inspector.inspect("www", withCert(40, "Evil\u001b[31m\nCA"), null, now);
        assertFalse(s.issuer().contains("\u001b") || s.issuer().contains("\n"), s.issuer());
        assertFalse(StatusFormat.line(s, now).contains("\n"));
    }

    @Test
    void jsonSchema() throws Exception {
        List<SectionStatus> all = List.of(Inspector.inspect("www", withCert(40, "Test CA"), null, now),
                Inspector.inspect("new", section("none.crt"), null, now));
        Map<String, Object> doc = Json.parseObject(StatusFormat.json(all, now));
        assertEquals(1L, ((Number) doc.get("schema")).longValue());
        assertEquals("2030-01-01T00:00:00Z", doc.get("generated"));
        List<Map<String, Object>> secs = Json.objects(doc, "sections");
        assertEquals(2, secs.size());
        Map<String, Object> w = secs.get(0);
        assertEquals(List.of("section", "state", "file", "names", "keyType", "issuer", "notBefore", "notAfter",
                "daysLeft", "fingerprint", "ari", "due", "action", "reason", "nextRenewal"), List.copyOf(w.keySet()),
                "every member present, in the documented order");
        assertEquals("valid", w.get("state"));
        assertEquals("2030-02-10T00:00:00Z", w.get("notAfter"));
        assertEquals(40L, ((Number) w.get("daysLeft")).longValue());
        assertEquals(Boolean.FALSE, w.get("due"));
        assertEquals("skip", w.get("action"));
        assertEquals("2030-01-07T16:00:00Z", w.get("nextRenewal"));
        assertEquals(64, ((String) w.get("fingerprint")).length());
        assertNull(w.get("ari"));
        Map<String, Object> n = secs.get(1);
        assertEquals("missing", n.get("state"));
        assertTrue(n.containsKey("notAfter") && n.get("notAfter") == null, "absent values are null, not missing");
        assertEquals("renew", n.get("action"));
    }
}
