package lacme.accountd;

import lacme.common.proto.AccountdCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signing policy in a real lacme-accountd --stdio process, configured as a sysadmin
 * would: pins in lacme-accountd.conf, and the grant lacme passes with --allow.
 */
class PolicyProcessTest {
    @TempDir
    Path dir;

    private Child accountd(String conf, String... extra) throws Exception {
        Path c = Files.writeString(dir.resolve("a.conf"), "privkey = file:" + TestKeys.get("p256-pkcs8") + "\n" + conf);
        String[] args = new String[extra.length + 2];
        args[0] = "--stdio";
        args[1] = "--config=" + c;
        System.arraycopy(extra, 0, args, 2, extra.length);
        return Child.ours(args);
    }

    /** Sends {@code line}; true if signed, false if refused (connection closed). */
    private static boolean signs(Child c, String line) throws Exception {
        c.out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        c.out.flush();
        return AccountdCodec.readLine(c.in) != null;
    }

    @Test
    void pinsFromTheConfigurationFileAreEnforced() throws Exception {
        String conf = "origin = https://ca.example\nidentifiers = *.example.org\n";
        try (Child c = accountd(conf)) {
            AccountdCodec.readGreeting(c.in);
            assertTrue(signs(c, SigningRulesTest.order("dns:www.example.org")));
            assertEquals(false, signs(c, SigningRulesTest.order("dns:www.example.org", "dns:victim.example")));
            assertEquals(0, c.waitFor());
            assertTrue(c.stderrText().contains("NOSIGN [new-order identifier dns:victim.example is not in the"
                    + " 'identifiers' allowlist]"), c.stderrText());
        }
        try (Child c = accountd(conf)) {
            AccountdCodec.readGreeting(c.in);
            assertEquals(false, signs(c, SigningRulesTest.line(SigningRulesTest.kid("https://other.example/x"), "")));
            assertEquals(0, c.waitFor());
            assertTrue(c.stderrText().contains("NOSIGN [url https://other.example/x is not on the pinned origin"
                    + " https://ca.example:443]"), c.stderrText());
        }
    }

    @Test
    void deactivationOnlyWithTheGrant() throws Exception {
        try (Child c = accountd("")) {
            AccountdCodec.readGreeting(c.in);
            assertEquals(false, signs(c, SigningRulesTest.DEACTIVATE));
            assertEquals(0, c.waitFor());
            assertTrue(c.stderrText().contains("NOSIGN [deactivation not allowed"), c.stderrText());
        }
        try (Child c = accountd("", "--allow=deactivation")) {
            AccountdCodec.readGreeting(c.in);
            assertTrue(signs(c, SigningRulesTest.DEACTIVATE));
            assertEquals(false, signs(c, SigningRulesTest.KEY_CHANGE), "the grant is for deactivation only");
            assertEquals(0, c.waitFor());
            assertTrue(c.stderrText().contains("SIGNED url=" + SigningRulesTest.ACCT + " kid="
                    + SigningRulesTest.ACCT + " payload=24 bytes kind=deactivation"), c.stderrText());
        }
    }
}
