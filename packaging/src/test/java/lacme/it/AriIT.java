package lacme.it;

import lacme.common.json.Json;
import lacme.testkit.Pebble;
import lacme.testkit.PebbleInstallation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 13, ACME Renewal Information (RFC 9773) end to end through the installed launcher.
 * Against Pebble 2.10, whose management interface sets a certificate's renewalInfo answer: a
 * certificate inside its window is renewed (with {@code replaces}, accepted; the CA's
 * explanationURL logged sanitised and passed to notify) and one before its window is not; the
 * chosen time is remembered; a run with nothing due starts no accountd (the wrapper counts
 * starts) and asks no window again within Retry-After; {@code status --json} shows the window.
 * Against Debian's Pebble 2.4 (no renewalInfo): the lifetime-fraction fallback decides.
 */
class AriIT {
    @TempDir
    static Path tmp;
    static Path starts;

    /** The Pebble 2.10 of the ARI test, for its management interface. */
    static Pebble pebble;

    @BeforeAll
    static void setUp() throws Exception {
        starts = tmp.resolve("accountd-starts");
        Path wrapper = tmp.resolve("accountd-wrapper");
        Files.writeString(wrapper, "#!/bin/sh\necho start >>" + starts + "\nexec " + Dist.accountd() + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static long accountdStarts() throws Exception {
        return Files.exists(starts) ? Files.readAllLines(starts).size() : 0;
    }

    /** A tree in {@code dir} against {@code ca} with these sections, accountd counted, state in dir/state. */
    static Path tree(Path dir, Pebble ca, List<String> sections) throws Exception {
        Files.createDirectories(dir);
        Tree.Settings s = Tree.Settings.of(ca);
        s.accountd.put("command", tmp.resolve("accountd-wrapper").toString());
        s.sections = sections;
        Path conf = Tree.write(dir, s);
        Files.writeString(conf, "state-directory = " + dir.resolve("state") + "\n" + Files.readString(conf));
        Path certs = dir.resolve("lacme-certs.conf");
        String c = Files.readString(certs);
        for (String sec : sections) {
            // the environment notify sees, one file per section
            c = c.replace("[" + sec + "]\n", "[" + sec + "]\nnotify = env >" + dir.resolve("notify-" + sec + ".env")
                    + "\n");
        }
        Files.writeString(certs, c);
        Dist.register(dir, conf);
        return conf;
    }

    static Dist.Run lacme(Path dir, Path conf, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Dist.lacme().toString(), "--config=" + conf));
        argv.addAll(List.of(args));
        Dist.Run r = Dist.run(dir, argv, 180);
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r);
        return r;
    }

    /** Has Pebble answer renewalInfo for the certificate of {@code pem} with this JSON (management interface). */
    static void setRenewalInfo(Path pem, String ariResponse) throws Exception {
        String body = Json.write(Map.of("Certificate", Files.readString(pem), "ARIResponse", ariResponse));
        HttpClient http = HttpClient.newBuilder().sslContext(pebble.sslContext()).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(pebble.managementUrl().resolve("/set-renewal-info/"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    static String window(Instant start, Instant end, String explanation) {
        return "{\"suggestedWindow\":{\"start\":\"" + start + "\",\"end\":\"" + end + "\"}"
                + (explanation == null ? "" : ",\"explanationURL\":\"" + explanation + "\"") + "}";
    }

    @Test
    void insideTheWindowRenewedBeforeItNotAndNothingDueWakesNoAccountd() throws Exception {
        try (Pebble ca = Pebble.start()) {
            pebble = ca;
            renewedInsideItsWindowOnly();
        }
    }

    private void renewedInsideItsWindowOnly() throws Exception {
        assumeTrue(pebble.version().startsWith("2.1"), "needs Pebble ≥ 2.10 (ARI): " + pebble.version());
        Path dir = tmp.resolve("ari");
        Path conf = tree(dir, pebble, List.of("due", "later"));
        Dist.Run first = lacme(dir, conf, "newOrder");
        assertEquals(0, first.exit(), first.toString());
        String dueBefore = Files.readString(dir.resolve("due.crt"));
        String laterBefore = Files.readString(dir.resolve("later.crt"));

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        setRenewalInfo(dir.resolve("due.crt"), window(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)),
                "https://ca.example/incident/1\\u001b[31m"));
        Instant laterStart = now.plus(Duration.ofDays(20));
        setRenewalInfo(dir.resolve("later.crt"), window(laterStart, laterStart.plus(Duration.ofDays(1)), null));

        long before = accountdStarts();
        // status asks the CA for the live window (nothing remembered yet), without accountd
        Dist.Run live = lacme(dir, conf, "status", "--json", "due");
        assertEquals(0, live.exit(), live.toString());
        Map<String, Object> due = Json.objects(Json.parseObject(live.stdout()), "sections").get(0);
        assertEquals(now.minus(Duration.ofDays(2)).toString(), Json.object(due, "ari").get("windowStart"), live.toString());
        assertEquals("renew", due.get("action"), live.toString());
        assertEquals(before, accountdStarts(), "status started no accountd");
        Path stateFile = dir.resolve("state").resolve("renewal.json");
        assertFalse(Files.exists(stateFile) && Files.readString(stateFile).contains("window_start"),
                "status wrote nothing");

        Dist.Run ari = lacme(dir, conf, "--debug", "newOrder");
        assertEquals(0, ari.exit(), ari.toString());
        assertEquals(before + 1, accountdStarts(), "accountd started once, for the due section");
        assertTrue(ari.stderr().contains("[due] The CA explains its renewal window: https://ca.example/incident/1"),
                ari.toString());
        assertFalse(ari.stderr().contains("\u001b"), "explanationURL sanitised: " + ari);
        assertTrue(ari.stderr().contains("inside the ARI window"), ari.toString());
        assertTrue(ari.stderr().contains(", replaces "), "replaces sent: " + ari);
        assertFalse(ari.stderr().contains("refused 'replaces'"), "and accepted: " + ari);
        assertTrue(ari.stderr().contains("[later] Valid until "), ari.toString());
        assertTrue(ari.stderr().contains("(ARI window "), ari.toString());
        assertNotEquals(dueBefore, Files.readString(dir.resolve("due.crt")), "renewed inside its window");
        assertEquals(laterBefore, Files.readString(dir.resolve("later.crt")), "not before its window");
        Optional<String> env = Files.readAllLines(dir.resolve("notify-due.env")).stream()
                .filter(l -> l.startsWith("LACME_ARI_EXPLANATION=")).findFirst();
        assertTrue(env.isPresent() && env.get().startsWith("LACME_ARI_EXPLANATION=https://ca.example/incident/1")
                && !env.get().contains("\u001b"), String.valueOf(env));
        String state = Files.readString(dir.resolve("state").resolve("renewal.json"));
        assertTrue(state.contains("\"window_start\":" + laterStart.getEpochSecond()), state);

        // status shows the remembered window and its chosen time
        Dist.Run json = lacme(dir, conf, "status", "--json", "later");
        assertEquals(0, json.exit(), json.toString());
        Map<String, Object> later = Json.objects(Json.parseObject(json.stdout()), "sections").get(0);
        Map<String, Object> w = Json.object(later, "ari");
        assertEquals(laterStart.toString(), w.get("windowStart"), later.toString());
        assertEquals("skip", later.get("action"));

        // nothing due now: no accountd, and the later window is not asked again (Retry-After)
        long quiet = accountdStarts();
        Dist.Run idle = lacme(dir, conf, "--debug", "newOrder");
        assertEquals(0, idle.exit(), idle.toString());
        assertEquals(quiet, accountdStarts(), "newOrder with nothing due started no accountd: " + idle);
        assertTrue(idle.stderr().contains("[due] Valid until ") && idle.stderr().contains("[later] Valid until "),
                idle.toString());
        assertEquals(laterBefore, Files.readString(dir.resolve("later.crt")));
    }

    @Test
    void withoutRenewalInfoTheLifetimeDecides() throws Exception {
        Optional<PebbleInstallation> system = PebbleInstallation.system();
        assumeTrue(system.isPresent(), "Debian's pebble package (scripts/setup.sh installs it)");
        try (Pebble old = Pebble.builder().installation(system.get()).start()) {
            Path dir = tmp.resolve("noari");
            Path conf = tree(dir, old, List.of("ec"));
            Dist.Run first = lacme(dir, conf, "newOrder");
            assertEquals(0, first.exit(), first.toString());
            long quiet = accountdStarts();
            Dist.Run again = lacme(dir, conf, "--debug", "newOrder");
            assertEquals(0, again.exit(), again.toString());
            assertTrue(again.stderr().contains("offers no renewalInfo"), again.toString());
            assertTrue(again.stderr().contains("[ec] Valid until "), again.toString());
            assertFalse(again.stderr().contains("ARI window"), again.toString());
            assertEquals(quiet, accountdStarts(), "nothing due: no accountd");
            Dist.Run json = lacme(dir, conf, "status", "--json");
            Map<String, Object> ec = Json.objects(Json.parseObject(json.stdout()), "sections").get(0);
            assertEquals(null, ec.get("ari"), ec.toString());
        }
    }
}
