package lacme.accountd;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import lacme.common.proto.AccountdCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static lacme.accountd.SigningPolicyTest.GOOD_KID;
import static lacme.accountd.SigningPolicyTest.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole protocol-1 session in-process, through AccountdCodec's client side. */
class SessionTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private static final AccountLog LOG = new AccountLog(false);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A running session and the client ends of its streams. */
    record Peer(InputStream in, OutputStream out, Future<Session.End> end) {
    }

    Peer start(AccountKey key, String kid) throws IOException {
        return start(key, kid, SigningPolicy.Rules.DEFAULT, LOG);
    }

    Peer start(AccountKey key, String kid, SigningPolicy.Rules rules, AccountLog log) throws IOException {
        PipedOutputStream toServer = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 17);
        PipedOutputStream serverOut = new PipedOutputStream();
        PipedInputStream fromServer = new PipedInputStream(serverOut, 1 << 17);
        Session s = new Session(key, kid, rules, log);
        Future<Session.End> end = pool.submit(() -> {
            try (serverOut) {
                return s.serve(serverIn, serverOut, "t");
            }
        });
        return new Peer(fromServer, toServer, end);
    }

    static AccountKey key(String kind) throws Exception {
        return AccountKeyTest.load(TestKeys.get(kind), n -> null);
    }

    @Test
    void greetsAndSignsRsa() throws Exception {
        signRoundTrip(key("rsa-pkcs8"));
    }

    @Test
    void greetsAndSignsEc() throws Exception {
        signRoundTrip(key("p256-sec1"));
        signRoundTrip(key("p384-pkcs8"));
    }

    private void signRoundTrip(AccountKey key) throws Exception {
        Peer p = start(key, null);
        AccountdCodec.Greeting g = AccountdCodec.readGreeting(p.in());
        assertEquals(1, g.version());
        assertEquals(key.alg().getName(), g.alg());
        assertEquals(key.thumbprint(), g.thumbprint());
        assertNull(g.kid());
        assertEquals(key.jwkJson(), g.jwk());
        JWK jwk = JWK.parse(g.jwk());
        for (int i = 0; i < 3; i++) {
            String input = b64(GOOD_KID.replace("RS256", g.alg()).replace("abc", "nonce" + i)) + "." + b64("{\"csr\":\"c" + i + "\"}");
            Base64URL sig = new Base64URL(AccountdCodec.sign(p.in(), p.out(), input));
            byte[] in = input.getBytes(StandardCharsets.US_ASCII);
            JWSHeader h = new JWSHeader(key.alg());
            boolean ok = jwk instanceof RSAKey ? new RSASSAVerifier((RSAKey) jwk).verify(h, in, sig)
                    : new ECDSAVerifier((ECKey) jwk).verify(h, in, sig);
            assertTrue(ok, "signature " + i + " verifies with the greeting's JWK");
        }
        p.out().close();
        assertEquals(Session.End.EOF, p.end().get(10, TimeUnit.SECONDS));
    }

    @Test
    void keyidSendsKidAndEmptyJwk() throws Exception {
        AccountKey key = key("rsa-pkcs8");
        Peer p = start(key, "https://ca/acct/42");
        AccountdCodec.Greeting g = AccountdCodec.readGreeting(p.in());
        assertEquals("https://ca/acct/42", g.kid());
        assertEquals("{}", g.jwk());
        assertEquals(key.thumbprint(), g.thumbprint());
        p.out().close();
        assertEquals(Session.End.EOF, p.end().get(10, TimeUnit.SECONDS));
    }

    @Test
    void refusalClosesWithoutAnswer() throws Exception {
        Peer p = start(key("p256-pkcs8"), null);
        AccountdCodec.readGreeting(p.in());
        // an RS256 header to an ES256 key: refused, nothing signed, connection closed
        p.out().write((b64(GOOD_KID) + ".\r\n").getBytes(StandardCharsets.US_ASCII));
        p.out().flush();
        assertEquals(Session.End.REFUSED, p.end().get(10, TimeUnit.SECONDS));
        assertEquals(-1, p.in().read(), "no answer after NOSIGN");
    }

    @Test
    void hostileFraming() throws Exception {
        AccountKey key = key("rsa-pkcs8");
        for (String bad : new String[] {b64(GOOD_KID) + ".\n", "A".repeat(AccountdCodec.MAX_LINE + 10) + "\r\n"}) {
            Peer p = start(key, null);
            AccountdCodec.readGreeting(p.in());
            p.out().write(bad.getBytes(StandardCharsets.US_ASCII));
            p.out().flush();
            assertEquals(Session.End.REFUSED, p.end().get(10, TimeUnit.SECONDS));
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            p.in().transferTo(rest);
            assertEquals(0, rest.size());
        }
        Peer p = start(key, null);
        AccountdCodec.readGreeting(p.in());
        p.out().write("eyJh".getBytes(StandardCharsets.US_ASCII));
        p.out().close(); // EOF in the middle of a line
        assertEquals(Session.End.REFUSED, p.end().get(10, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> AccountdCodec.sign(p.in(), p.out(), "not a signing input"));
    }

    /** The logfile gets timestamped lines, verbose ones included under --quiet. */
    @Test
    void logFileHasTimestampsAndVerboseLinesWhenQuiet() throws Exception {
        Path file = TestKeys.dir().resolve("session.log");
        AccountLog log = new AccountLog(false);
        log.openFile(file);
        log.setQuiet(true);
        log.verbose("[1] SIGNED something");
        log.info("[1] NOSIGN [reason]");
        log.debug("not logged without --debug");
        log.error("bad thing");
        var lines = java.nio.file.Files.readAllLines(file);
        assertEquals(3, lines.size(), lines.toString());
        String stamp = "\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}\\] ";
        assertTrue(lines.get(0).matches(stamp + "\\[1\\] SIGNED something"), lines.get(0));
        assertTrue(lines.get(1).matches(stamp + "\\[1\\] NOSIGN \\[reason\\]"), lines.get(1));
        assertTrue(lines.get(2).matches(stamp + "Error: bad thing"), lines.get(2));
    }

    /**
     * Each signature is logged with its kind (a new order with its identifiers); a request the
     * policy refuses (here a key change) is logged as NOSIGN with the reason and ends the
     * session without an answer, as any other refusal.
     */
    @Test
    void signaturesAreLoggedByKindAndAKeyChangeIsRefused() throws Exception {
        Path file = TestKeys.dir().resolve("policy.log");
        java.nio.file.Files.deleteIfExists(file);
        AccountLog log = new AccountLog(false);
        log.openFile(file);
        Peer p = start(key("p256-pkcs8"), null, SigningPolicy.Rules.DEFAULT, log);
        AccountdCodec.readGreeting(p.in());
        AccountdCodec.sign(p.in(), p.out(), SigningRulesTest.order("dns:a.example", "ip:192.0.2.1"));
        p.out().write((SigningRulesTest.KEY_CHANGE + "\r\n").getBytes(StandardCharsets.US_ASCII));
        p.out().flush();
        assertEquals(Session.End.REFUSED, p.end().get(10, TimeUnit.SECONDS));
        assertEquals(-1, p.in().read(), "no signature for the key change");
        var lines = java.nio.file.Files.readAllLines(file);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("[t] SIGNED url=https://ca.example/new-order kid=" + SigningRulesTest.ACCT
                + " payload=86 bytes kind=new-order identifiers=dns:a.example,ip:192.0.2.1"), lines.get(0));
        assertTrue(lines.get(1).endsWith("[t] NOSIGN [key-change not allowed (see 'allow' in lacme-accountd.conf):"
                + " url=https://ca.example/key-change]"), lines.get(1));
    }
}
