package lacme.accountd;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import lacme.common.proto.AccountdCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static lacme.accountd.SigningPolicyTest.GOOD_KID;
import static lacme.accountd.SigningPolicyTest.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * lacme-accountd as a real process: --stdio as lacme spawns it, and the socket daemon
 * (mode 0600, concurrent connections, peer credentials logged, socket removed on SIGTERM
 * and SIGINT, unsafe locations refused), plus exit statuses and one-line errors.
 */
class AccountdProcessTest {
    @TempDir
    Path dir;

    private Path emptyConfig() throws Exception {
        return Files.writeString(dir.resolve("empty.conf"), "");
    }

    static String request(String alg, int i) {
        return b64(GOOD_KID.replace("RS256", alg).replace("abc", "n" + i)) + "." + b64("{\"csr\":\"c" + i + "\"}");
    }

    static void signAndVerify(InputStream in, OutputStream out, AccountdCodec.Greeting g, int i) throws Exception {
        String input = request(g.alg(), i);
        Base64URL sig = new Base64URL(AccountdCodec.sign(in, out, input));
        JWK jwk = JWK.parse(g.jwk());
        byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);
        JWSHeader h = new JWSHeader(com.nimbusds.jose.JWSAlgorithm.parse(g.alg()));
        assertTrue(jwk instanceof RSAKey ? new RSASSAVerifier((RSAKey) jwk).verify(h, bytes, sig)
                : new ECDSAVerifier((ECKey) jwk).verify(h, bytes, sig));
    }

    @Test
    void stdioSessionSignsAndExitsZeroOnEof() throws Exception {
        for (String kind : List.of("rsa-pkcs1", "p384-sec1")) {
            try (Child c = Child.ours("--stdio", "--config=" + emptyConfig(), "--privkey=file:" + TestKeys.get(kind))) {
                AccountdCodec.Greeting g = AccountdCodec.readGreeting(c.in);
                assertEquals(kind.startsWith("rsa") ? "RS256" : "ES384", g.alg());
                for (int i = 0; i < 3; i++) {
                    signAndVerify(c.in, c.out, g, i);
                }
                c.out.close();
                assertEquals(0, c.waitFor(), c.stderrText());
                String err = c.stderrText();
                assertTrue(err.contains("[" + c.process.pid() + "] SIGNED url=https://ca/acme/order kid=https://ca/acct/1"
                        + " payload=12 bytes kind=finalize"), err);
            }
        }
    }

    @Test
    void stdioRefusalClosesTheSession() throws Exception {
        try (Child c = Child.ours("--stdio", "--quiet", "--config=" + emptyConfig(),
                "--privkey=file:" + TestKeys.get("p256-pkcs8"))) {
            AccountdCodec.Greeting g = AccountdCodec.readGreeting(c.in);
            signAndVerify(c.in, c.out, g, 1);
            c.out.write((b64("{\"alg\":\"ES256\"}") + ".e30\r\n").getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            assertEquals(-1, c.in.read(), "closed without an answer");
            assertEquals(0, c.waitFor());
            String err = c.stderrText();
            assertTrue(err.contains("NOSIGN [invalid JWS Protected Header: missing nonce]"), err);
            assertFalse(err.contains("SIGNED"), "--quiet hides verbose lines: " + err);
        }
    }

    @Test
    void errorsAreOneLineWithStatus255() throws Exception {
        Path conf = emptyConfig();
        check(255, "'privkey' is not specified", "--stdio", "--config=" + conf);
        check(255, "Can't open " + dir.resolve("nope.conf") + ": No such file or directory",
                "--stdio", "--config=" + dir.resolve("nope.conf"));
        check(255, "RSA key of 1024 bits refused", "--stdio", "--config=" + conf,
                "--privkey=file:" + TestKeys.get("rsa-1024"));
        check(255, "Ed25519 keys are not supported", "--stdio", "--config=" + conf,
                "--privkey=file:" + TestKeys.get("ed25519"));
        Path bad = Files.writeString(dir.resolve("bad.conf"), "privkey = file:/x\nfoo = bar\n");
        check(255, "Unknown option(s): foo", "--stdio", "--config=" + bad);
        check(1, "Unknown option: '--frobnicate'", "--frobnicate");
    }

    private void check(int status, String message, String... args) throws Exception {
        try (Child c = Child.ours(args)) {
            c.out.close();
            assertEquals(status, c.waitFor(), c.stderrText());
            String err = c.stderrText();
            assertTrue(err.contains(message), err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
            if (status == 255) {
                assertEquals(1, err.lines().count(), err);
            }
            assertEquals(-1, c.in.read(), "nothing on stdout");
        }
    }

    @Test
    void encryptedKeyWithoutTerminal() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "setsid(1) detaches from the terminal");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setsid", "--wait"));
        cmd.addAll(Child.javaCommand("--stdio", "--config=" + emptyConfig(),
                "--privkey=file:" + TestKeys.get("rsa-pkcs8-encrypted")));
        try (Child c = Child.start(cmd)) {
            c.out.close();
            assertEquals(255, c.waitFor());
            String err = c.stderrText();
            assertTrue(err.contains("the key is encrypted and there is no terminal to ask for its passphrase"), err);
            assertEquals(1, err.lines().count(), err);
        }
    }

    /** Waits until the daemon's socket exists. */
    private static void awaitSocket(Child c, Path sock) throws Exception {
        for (int i = 0; i < 300 && !Files.exists(sock, LinkOption.NOFOLLOW_LINKS); i++) {
            assertTrue(c.process.isAlive(), "daemon died: " + c.stderrText());
            Thread.sleep(50);
        }
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "socket never appeared: " + c.stderrText());
    }

    @Test
    void socketDaemon() throws Exception {
        Path run = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path sock = run.resolve("S.lacme");
        try (Child c = Child.ours("--config=" + emptyConfig(), "--socket=" + sock,
                "--privkey=file:" + TestKeys.get("rsa-pkcs8"))) {
            awaitSocket(c, sock);
            int mode = (Integer) Files.getAttribute(sock, "unix:mode");
            assertEquals(0140000, mode & 0170000, "a socket");
            assertEquals(0600, mode & 07777, "mode 0600");

            // Concurrency: every connection is greeted while all the others are still open
            // (lacme-accountd 0.8.2 would greet only the first).
            List<AFUNIXSocket> conns = new ArrayList<>();
            try {
                List<AccountdCodec.Greeting> greetings = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock));
                    s.setSoTimeout(20_000);
                    conns.add(s);
                    greetings.add(AccountdCodec.readGreeting(new BufferedInputStream(s.getInputStream())));
                }
                for (int i = conns.size() - 1; i >= 0; i--) {
                    AFUNIXSocket s = conns.get(i);
                    signAndVerify(new BufferedInputStream(s.getInputStream()), s.getOutputStream(), greetings.get(i), i);
                }
            } finally {
                for (AFUNIXSocket s : conns) {
                    s.close();
                }
            }
            String pidCreds = "pid=" + ProcessHandle.current().pid();
            c.process.destroy(); // SIGTERM
            assertEquals(0, c.waitFor(), c.stderrText());
            String err = c.stderrText();
            assertTrue(err.contains("Accepted new connection from uid="), err);
            assertTrue(err.contains(pidCreds), err);
            assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "socket unlinked on SIGTERM");
            try (Stream<Path> left = Files.list(run)) {
                assertEquals(List.of(), left.toList(), "nothing left behind");
            }
        }
    }

    @Test
    void socketRemovedOnSigint() throws Exception {
        Path run = Files.createDirectory(dir.resolve("run2"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path sock = run.resolve("S.lacme");
        try (Child c = Child.ours("--quiet", "--config=" + emptyConfig(), "--socket=" + sock,
                "--privkey=file:" + TestKeys.get("p256-pkcs8"))) {
            awaitSocket(c, sock);
            c.signal("INT");
            assertEquals(0, c.waitFor(), c.stderrText());
            try (Stream<Path> left = Files.list(run)) {
                assertEquals(List.of(), left.toList());
            }
        }
    }

    @Test
    void refusesExistingPathAndUnsafeDirectory() throws Exception {
        Path run = Files.createDirectory(dir.resolve("run3"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path taken = Files.writeString(run.resolve("S.lacme"), "precious");
        String key = "--privkey=file:" + TestKeys.get("rsa-pkcs8");
        check(255, "Can't bind to " + taken + ": File exists", "--config=" + emptyConfig(), "--socket=" + taken, key);
        assertEquals("precious", Files.readString(taken));
        try (Stream<Path> left = Files.list(run)) {
            assertEquals(List.of(taken), left.toList());
        }

        Path shared = Files.createDirectory(dir.resolve("shared"));
        for (String perms : List.of("rwxrwxr-x", "rwxr-xrwx", "rwxrwxrwt")) {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString(perms.replace('t', 'x')));
            check(255, "Insecure permissions on " + shared, "--config=" + emptyConfig(),
                    "--socket=" + shared.resolve("S.lacme"), key);
            try (Stream<Path> left = Files.list(shared)) {
                assertEquals(List.of(), left.toList());
            }
        }
        check(255, "stat(" + dir.resolve("nodir") + "): No such file or directory", "--config=" + emptyConfig(),
                "--socket=" + dir.resolve("nodir/S.lacme"), key);
    }
}
