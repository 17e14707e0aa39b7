package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13 against Pebble 2.10 with two profiles (a 90-day "default" and a 6-day
 * "shortlived"): the section's profile is honoured (the issued lifetime shows it) and
 * remembered in the root-only state directory; a 6-day certificate is not renewed on the
 * next run (lacme's 21 days would renew it every time); changing the profile renews, with
 * {@code replaces} naming the old certificate (Pebble checks it and accepts); ordering again
 * with {@code replaces} for a certificate already replaced gets {@code alreadyReplaced}, and
 * the client orders without it, with a warning; an unknown profile is one line listing the
 * CA's profiles.
 */
class RenewalIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.builder().config("profiles", Map.of(
                "default", Map.of("description", "90 days", "validityPeriod", 7776000),
                "shortlived", Map.of("description", "6 days", "validityPeriod", 518400))).start();
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = List.of("ec");
        conf = Tree.write(tmp, s);
        Files.writeString(conf, "state-directory = " + tmp.resolve("state") + "\n" + Files.readString(conf));
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    private static void profile(String p) throws Exception {
        Path certs = tmp.resolve("lacme-certs.conf");
        String c = Files.readString(certs).replaceAll("(?m)^profile = .*\\n", "");
        Files.writeString(certs, c + "profile = " + p + "\n");
    }

    private static Dist.Run lacme(String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(Dist.lacme().toString(), "--config=" + conf));
        argv.addAll(List.of(args));
        return Dist.run(tmp, argv, 180);
    }

    private static Duration lifetime() throws Exception {
        X509Certificate c = Certs.parse(tmp.resolve("ec.crt")).get(0);
        return Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant());
    }

    @Test
    void profilesReplacesAndAlreadyReplaced() throws Exception {
        assertTrue(pebble.version().startsWith("2.1"), "needs Pebble ≥ 2.10 (profiles, ARI): " + pebble.version());
        Dist.Run reg = lacme("account", "--register", "--tos-agreed");
        assertEquals(0, reg.exit(), reg.toString());
        // lacme account shows the CA's profiles on stderr: stdout stays the account object
        assertTrue(reg.stderr().contains("Profile default: 90 days") && reg.stderr().contains("Profile shortlived: 6 days"),
                reg.toString());
        assertEquals("valid", lacme.common.json.Json.parseObject(reg.stdout()).get("status"), reg.toString());

        profile("nosuch");
        Dist.Run unknown = lacme("newOrder");
        assertEquals(1, unknown.exit(), unknown.toString());
        assertTrue(unknown.stderr().contains("[ec] Error: Couldn't issue X.509 certificate: unknown profile 'nosuch';"
                + " the CA offers: default, shortlived"), unknown.toString());

        profile("shortlived");
        Dist.Run first = lacme("newOrder");
        assertEquals(0, first.exit(), first.toString());
        long hours = lifetime().toHours();
        assertTrue(hours >= 143 && hours <= 145, "a 6-day certificate: " + lifetime());
        Path state = tmp.resolve("state");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        assertTrue(Files.readString(state.resolve("renewal.json")).contains("\"profile\":\"shortlived\""));
        Path old = tmp.resolve("ec.crt.shortlived");
        Files.copy(tmp.resolve("ec.crt"), old);

        Dist.Run again = lacme("newOrder");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.stderr().contains("[ec] Valid until "), "6 days, 6 left: not due: " + again);

        profile("default");
        Dist.Run changed = lacme("--debug", "newOrder");
        assertEquals(0, changed.exit(), changed.toString());
        assertTrue(changed.stderr().contains("profile changed from 'shortlived' to 'default'"), changed.toString());
        assertTrue(changed.stderr().contains(", replaces "), "replaces sent: " + changed);
        assertTrue(!changed.stderr().contains("refused 'replaces'"), "and accepted: " + changed);
        assertEquals(90 * 24, lifetime().plusMinutes(1).toHours(), "a 90-day certificate: " + lifetime());

        // the 6-day certificate is replaced already: the CA says so, the client orders without replaces
        Files.copy(old, tmp.resolve("ec.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(old, tmp.resolve("ec.chain.pem"), StandardCopyOption.REPLACE_EXISTING);
        Dist.Run dup = lacme("--force", "newOrder");
        assertEquals(0, dup.exit(), dup.toString());
        assertTrue(dup.stderr().contains("refused 'replaces'"), dup.toString());
        assertNotEquals(Files.readString(old), Files.readString(tmp.resolve("ec.crt")));
    }
}
