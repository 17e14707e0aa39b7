package lacme.it;

import lacme.common.json.Json;
import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lacme status [--json]} and the metrics file through the installed launcher against a
 * real Pebble, in the order a sysadmin meets the cases: no certificate yet, a valid certificate
 * not due, the same due (--min-days), a garbage certificate; the metrics file after a success
 * and after a failure. accountd's {@code command} is a wrapper that appends a line to a file
 * on each start: {@code status} must never start it (a key host is not woken to look).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;
    static Path starts;
    static Path metrics;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
        starts = tmp.resolve("accountd-starts");
        Path wrapper = tmp.resolve("accountd-wrapper");
        Files.writeString(wrapper, "#!/bin/sh\necho start >>" + starts + "\nexec " + Dist.accountd() + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Tree.Settings s = Tree.Settings.of(pebble);
        s.accountd.put("command", wrapper.toString());
        s.sections = List.of("ec");
        conf = Tree.write(tmp, s);
        Path dir = Files.createDirectories(tmp.resolve("textfile"));
        metrics = dir.resolve("lacme.prom");
        Files.writeString(conf, "metrics-file = " + metrics + "\nstate-directory = " + tmp.resolve("state") + "\n"
                + Files.readString(conf), StandardCharsets.UTF_8);
        Dist.register(tmp, conf);
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    static long accountdStarts() throws Exception {
        return Files.exists(starts) ? Files.readAllLines(starts).size() : 0;
    }

    static Dist.Run lacme(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Dist.lacme().toString(), "--config=" + conf));
        argv.addAll(List.of(args));
        Dist.Run r = Dist.run(tmp, argv, 180);
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r);
        return r;
    }

    /** status and status --json, neither starting accountd; returns the JSON section "ec". */
    static Map<String, Object> status(int exit, String... extra) throws Exception {
        long before = accountdStarts();
        List<String> a = new ArrayList<>(List.of(extra));
        a.add("status");
        Dist.Run text = lacme(a.toArray(new String[0]));
        assertEquals(exit, text.exit(), text.toString());
        assertEquals(1, text.stdout().lines().count(), "one line per section: " + text);
        a.add("--json");
        Dist.Run json = lacme(a.toArray(new String[0]));
        assertEquals(exit, json.exit(), json.toString());
        assertEquals(before, accountdStarts(), "status started no accountd");
        Map<String, Object> doc = Json.parseObject(json.stdout());
        assertEquals(1L, ((Number) doc.get("schema")).longValue());
        List<Map<String, Object>> sections = Json.objects(doc, "sections");
        assertEquals(1, sections.size());
        Map<String, Object> ec = sections.get(0);
        ec.put("_line", text.stdout().strip());
        return ec;
    }

    @Test
    @Order(1)
    void noCertificateYet() throws Exception {
        Map<String, Object> ec = status(2);
        assertEquals("missing", ec.get("state"));
        assertEquals("renew", ec.get("action"));
        assertEquals(List.of("ec.example.test", "www.ec.example.test"), ec.get("names"));
        assertTrue(((String) ec.get("_line")).startsWith("[ec] ec.example.test, www.ec.example.test; no certificate ("),
                ec.toString());
        assertTrue(((String) ec.get("_line")).endsWith("next run: renew (no certificate yet)"), ec.toString());
    }

    @Test
    @Order(2)
    void afterASuccessValidNotDueThenDue() throws Exception {
        long before = accountdStarts();
        Dist.Run order = lacme("newOrder");
        assertEquals(0, order.exit(), order.toString());
        assertEquals(before + 1, accountdStarts(), "newOrder started accountd once (the wrapper counts)");
        Map<String, Long> m = samples();
        long success = m.get("lacme_certificate_last_success_timestamp_seconds{section=\"ec\"}");
        assertTrue(Math.abs(success - System.currentTimeMillis() / 1000) < 300, m.toString());
        assertFalse(m.containsKey("lacme_certificate_last_failure_timestamp_seconds{section=\"ec\"}"), m.toString());
        assertEquals(1L, m.get("lacme_certificate_valid{section=\"ec\"}"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(metrics)));

        Map<String, Object> ec = status(0);
        assertEquals("valid", ec.get("state"));
        assertEquals("skip", ec.get("action"));
        assertEquals("EC-P256", ec.get("keyType"));
        assertNotNull(ec.get("issuer"));
        assertEquals(m.get("lacme_certificate_expiry_timestamp_seconds{section=\"ec\"}"),
                java.time.Instant.parse((String) ec.get("notAfter")).getEpochSecond(), "the file and status agree");
        assertTrue(((String) ec.get("_line")).contains("; EC-P256; issuer \""), ec.toString());

        // issue 13: a timer run with nothing due never wakes the key host
        long quiet = accountdStarts();
        Dist.Run idle = lacme("newOrder");
        assertEquals(0, idle.exit(), idle.toString());
        assertTrue(idle.stderr().contains("[ec] Valid until "), idle.toString());
        assertEquals(quiet, accountdStarts(), "newOrder with nothing due started no accountd");

        // due: a min-days beyond Pebble's lifetime
        Map<String, Object> due = status(0, "--min-days=100000");
        assertEquals("valid", due.get("state"));
        assertEquals("renew", due.get("action"));
        assertTrue(((String) due.get("_line")).endsWith("next run: renew (at most 100000 days left (--min-days))"),
                due.toString());
    }

    @Test
    @Order(3)
    void afterAFailureTheSuccessIsKept() throws Exception {
        long success = samples().get("lacme_certificate_last_success_timestamp_seconds{section=\"ec\"}");
        // the same certificates and metrics file, a CA that is not there
        Path broken = tmp.resolve("broken.conf");
        Files.writeString(broken, Files.readString(conf).replaceFirst("(?m)^server = .*$",
                "server = https://127.0.0.1:1/dir"));
        Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + broken, "newOrder", "--force"), 180);
        assertEquals(1, r.exit(), r.toString());
        Map<String, Long> m = samples();
        assertEquals(success, m.get("lacme_certificate_last_success_timestamp_seconds{section=\"ec\"}"));
        long failure = m.get("lacme_certificate_last_failure_timestamp_seconds{section=\"ec\"}");
        assertTrue(failure >= success, m.toString());
        assertEquals(1L, m.get("lacme_certificate_valid{section=\"ec\"}"), "the old certificate is still there");
    }

    @Test
    @Order(4)
    void garbageCertificate() throws Exception {
        Files.writeString(tmp.resolve("ec.chain.pem"), "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n"
                + "-----END CERTIFICATE-----\n\u001b[31m");
        Map<String, Object> ec = status(2);
        assertEquals("unreadable", ec.get("state"));
        assertEquals("renew", ec.get("action"));
        assertFalse(((String) ec.get("_line")).contains("\u001b"));
        assertTrue(((String) ec.get("_line")).contains("; unreadable certificate ("), ec.toString());
    }

    @Test
    @Order(5)
    void unknownSectionIsExitOne() throws Exception {
        Dist.Run r = lacme("status", "nosuch");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("No such section nosuch, skipping"), r.toString());
    }

    @Test
    @Order(6)
    void relativeMetricsFileIsOneLineBeforeAnything() throws Exception {
        Path bad = tmp.resolve("relative.conf");
        Files.writeString(bad, Files.readString(conf).replaceFirst("(?m)^metrics-file = .*$",
                "metrics-file = lacme.prom"));
        long before = accountdStarts();
        Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + bad, "newOrder"), 120);
        assertEquals(1, r.exit(), r.toString());
        assertEquals("[ERROR] lacme - " + bad + ": metrics-file: not an absolute path: lacme.prom\n", r.stderr());
        assertEquals(before, accountdStarts(), "refused before accountd");
    }

    private static final Pattern SAMPLE = Pattern.compile("(?m)^(lacme_[a-z_]+(?:\\{[^}]*\\})?) ([0-9]+)$");

    static Map<String, Long> samples() throws Exception {
        Map<String, Long> m = new java.util.HashMap<>();
        Matcher x = SAMPLE.matcher(Files.readString(metrics));
        while (x.find()) {
            m.put(x.group(1), Long.parseLong(x.group(2)));
        }
        return m;
    }
}
