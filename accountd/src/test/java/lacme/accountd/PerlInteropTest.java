package lacme.accountd;

import lacme.common.json.Json;
import lacme.common.proto.AccountdCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static lacme.accountd.SigningPolicyTest.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Wire compatibility with Debian's lacme-accountd 0.8.2 for the same RSA key: the same JWK
 * line byte for byte, the same greeting members, and &mdash; RS256 being deterministic &mdash;
 * the same signatures for the same requests. Skipped when the Perl daemon is not installed.
 */
class PerlInteropTest {
    private static final Path PERL = Path.of("/usr/bin/lacme-accountd");

    @TempDir
    Path dir;

    @BeforeAll
    static void perlInstalled() {
        assumeTrue(Files.isExecutable(PERL), "Debian's lacme-accountd is not installed");
    }

    @Test
    void sameGreetingAndSignaturesAsPerl() throws Exception {
        Path conf = Files.writeString(dir.resolve("empty.conf"), "");
        for (String kind : List.of("rsa-pkcs8", "rsa-pkcs1")) {
            Path key = TestKeys.get(kind);
            try (Child perl = Child.start(List.of(PERL.toString(), "--stdio", "--quiet", "--config=" + conf,
                    "--privkey=file:" + key));
                 Child ours = Child.ours("--stdio", "--quiet", "--config=" + conf, "--privkey=file:" + key)) {
                AccountdCodec.Greeting gp = AccountdCodec.readGreeting(perl.in);
                AccountdCodec.Greeting go = AccountdCodec.readGreeting(ours.in);
                assertEquals(gp.jwk(), go.jwk(), "JWK line");
                assertEquals(gp.extra(), go.extra(), "greeting members (alg, jwk-thumbprint)");
                for (int i = 0; i < 3; i++) {
                    String input = AccountdProcessTest.request("RS256", i);
                    assertEquals(AccountdCodec.sign(perl.in, perl.out, input), AccountdCodec.sign(ours.in, ours.out, input),
                            "RS256 signature of request " + i);
                }
                // Both refuse a header without nonce and close without answering.
                byte[] bad = (b64("{\"alg\":\"RS256\",\"url\":\"u\",\"kid\":\"k\"}") + ".\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                for (Child c : List.of(perl, ours)) {
                    c.out.write(bad);
                    c.out.flush();
                    assertEquals(-1, c.in.read());
                    assertEquals(0, c.waitFor(), c.stderrText());
                }
            }
        }
    }

    @Test
    void sameKeyidGreetingAsPerl() throws Exception {
        Path conf = Files.writeString(dir.resolve("kid.conf"), "keyid = https://ca.example/acct/7\n");
        Path key = TestKeys.get("rsa-pkcs8");
        try (Child perl = Child.start(List.of(PERL.toString(), "--stdio", "--config=" + conf, "--privkey=file:" + key));
             Child ours = Child.ours("--stdio", "--config=" + conf, "--privkey=file:" + key)) {
            AccountdCodec.Greeting gp = AccountdCodec.readGreeting(perl.in);
            AccountdCodec.Greeting go = AccountdCodec.readGreeting(ours.in);
            assertEquals("{}", gp.jwk());
            assertEquals(gp.jwk(), go.jwk());
            assertEquals(gp.extra(), go.extra());
            assertEquals(Json.parseObject("{\"kid\":\"https://ca.example/acct/7\"}").get("kid"), go.kid());
        }
    }
}
