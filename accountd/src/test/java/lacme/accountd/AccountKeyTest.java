package lacme.accountd;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import lacme.common.config.Specifiers;
import lacme.common.json.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key loading (every accepted PEM form, every refused type), the JWK line and signatures. */
class AccountKeyTest {
    private static final KeyLoader.Passphrase NO_PASS = name -> {
        throw new AssertionError("no passphrase expected for " + name);
    };

    static AccountKey load(Path file, KeyLoader.Passphrase pass) throws AccountdException {
        return KeyLoader.load("file:" + file, AccountdConfig.DEFAULT_GPG, Specifiers.forCurrentProcess(), false, pass);
    }

    @ParameterizedTest
    @CsvSource({
        "rsa-pkcs8, RS256, PRIVATE KEY",
        "rsa-pkcs1, RS256, RSA PRIVATE KEY",
        "rsa-3072, RS256, PRIVATE KEY",
        "p256-pkcs8, ES256, PRIVATE KEY",
        "p256-sec1, ES256, EC PRIVATE KEY",
        "p256-sec1-params, ES256, EC PARAMETERS",
        "p384-pkcs8, ES384, PRIVATE KEY",
        "p384-sec1, ES384, EC PRIVATE KEY",
    })
    void acceptsAndSignsVerifiably(String kind, String alg, String pemType) throws Exception {
        Path file = TestKeys.get(kind);
        assertTrue(Files.readString(file).startsWith("-----BEGIN " + pemType + "-----"), "PEM form of " + kind);
        AccountKey key = load(file, NO_PASS);
        assertEquals(alg, key.alg().getName());
        checkJwkLine(key);
        for (String input : List.of("eyJhbGciOiJ0ZXN0In0.", "eyJhbGciOiJ0ZXN0In0.e30")) {
            byte[] in = input.getBytes(StandardCharsets.US_ASCII);
            Base64URL sig = new Base64URL(key.sign(in));
            JWSVerifier v = key.publicJwk() instanceof RSAKey
                    ? new RSASSAVerifier((RSAKey) key.publicJwk()) : new ECDSAVerifier((ECKey) key.publicJwk());
            assertTrue(v.verify(new JWSHeader(key.alg()), in, sig), "signature verifies");
            assertFalse(v.verify(new JWSHeader(key.alg()), (input + "x").getBytes(StandardCharsets.US_ASCII), sig));
            int expected = alg.equals("ES256") ? 64 : alg.equals("ES384") ? 96 : -1;
            if (expected > 0) {
                assertEquals(expected, sig.decode().length, "JOSE R||S, not DER");
            }
        }
    }

    /** The JWK line is the RFC 7638 canonical form and hashes to the thumbprint. */
    static void checkJwkLine(AccountKey key) throws Exception {
        String line = key.jwkJson();
        assertFalse(line.contains(" "));
        Map<String, Object> members = Json.parseObject(line);
        List<String> names = new ArrayList<>(members.keySet());
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names, "members in lexicographic order");
        if (key.alg() == JWSAlgorithm.RS256) {
            assertEquals(List.of("e", "kty", "n"), names);
        } else {
            assertEquals(List.of("crv", "kty", "x", "y"), names);
        }
        JWK parsed = JWK.parse(line);
        assertFalse(parsed.isPrivate());
        assertEquals(parsed.computeThumbprint().toString(), key.thumbprint());
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(digest, new Base64URL(key.thumbprint()).decode());
        assertEquals(key.publicJwk().computeThumbprint().toString(), key.thumbprint());
    }

    @ParameterizedTest
    @CsvSource({
        "rsa-1024, RSA key of 1024 bits refused",
        "rsa-4160, RSA key of 4160 bits refused (2048 to 4096 bits required)",
        "ed25519, Ed25519 keys are not supported",
        "dsa, DSA keys are not supported",
        "p521, curve secp521r1 refused",
        "secp256k1, curve secp256k1 refused",
        "rsa-public, Not a private key",
    })
    void refusesOtherKeys(String kind, String message) throws Exception {
        Path file = TestKeys.get(kind);
        AccountdException e = assertThrows(AccountdException.class, () -> load(file, NO_PASS));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void refusesGarbageAndMissingFiles() throws Exception {
        Path dir = TestKeys.dir();
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello\n");
        assertTrue(assertThrows(AccountdException.class, () -> load(garbage, NO_PASS)).getMessage()
                .contains("Not a private key"));
        Path broken = Files.writeString(dir.resolve("broken.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertTrue(assertThrows(AccountdException.class, () -> load(broken, NO_PASS)).getMessage()
                .startsWith(broken + ": "));
        Path missing = dir.resolve("missing.pem");
        assertEquals("Can't open " + missing + ": No such file or directory",
                assertThrows(AccountdException.class, () -> load(missing, NO_PASS)).getMessage());
        AccountdException e = assertThrows(AccountdException.class, () -> KeyLoader.load("pkcs11:foo",
                AccountdConfig.DEFAULT_GPG, Specifiers.forCurrentProcess(), false, NO_PASS));
        assertEquals("Unsupported method: pkcs11:foo", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"rsa-pkcs8-encrypted, RS256", "rsa-pkcs1-encrypted, RS256", "p256-sec1-encrypted, ES256"})
    void decryptsEncryptedPem(String kind, String alg) throws Exception {
        Path file = TestKeys.get(kind);
        List<String> asked = new ArrayList<>();
        AccountKey key = load(file, name -> {
            asked.add(name);
            return TestKeys.PASS.toCharArray();
        });
        assertEquals(List.of(file.toString()), asked);
        assertEquals(alg, key.alg().getName());
        checkJwkLine(key);
        AccountdException e = assertThrows(AccountdException.class, () -> load(file, n -> "wrong".toCharArray()));
        assertTrue(e.getMessage().contains("Can't decrypt"), e.getMessage());
        AccountdException noTty = assertThrows(AccountdException.class, () -> load(file, n -> {
            throw new AccountdException(n + ": no terminal");
        }));
        assertEquals(file + ": no terminal", noTty.getMessage());
    }

    @Test
    void sameJwkForAllFormsOfOneKey() throws Exception {
        assertEquals(load(TestKeys.get("rsa-pkcs8"), NO_PASS).jwkJson(), load(TestKeys.get("rsa-pkcs1"), NO_PASS).jwkJson());
        assertEquals(load(TestKeys.get("p256-pkcs8"), NO_PASS).jwkJson(), load(TestKeys.get("p256-sec1"), NO_PASS).jwkJson());
        assertEquals(load(TestKeys.get("p384-pkcs8"), NO_PASS).jwkJson(), load(TestKeys.get("p384-sec1"), NO_PASS).jwkJson());
    }

    @Test
    void gpgEncryptedKey() throws Exception {
        // gpg needs its agent even for symmetric encryption; Debian ships it apart (only Recommended).
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gpg-agent")), "gpg-agent is not installed (scripts/setup.sh)");
        Path dir = Files.createTempDirectory(TestKeys.dir(), "gnupg");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try {
            gpgRoundTrip(dir);
        } finally {
            // The agent gpg started for this home directory outlives gpg: stop it.
            new ProcessBuilder("gpgconf", "--homedir", dir.toString(), "--kill", "gpg-agent")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static void gpgRoundTrip(Path dir) throws Exception {
        Path enc = dir.resolve("account.key.gpg");
        TestKeys.run(List.of("gpg", "--homedir", dir.toString(), "--batch", "--quiet", "--pinentry-mode", "loopback",
                "--passphrase", TestKeys.PASS, "--symmetric", "-o", enc.toString(), TestKeys.get("p256-pkcs8").toString()));
        String gpg = "gpg --quiet --homedir " + dir + " --batch --pinentry-mode loopback --passphrase horse";
        AccountdException bad = assertThrows(AccountdException.class, () ->
                KeyLoader.load("gpg:" + enc, gpg, Specifiers.forCurrentProcess(), true, NO_PASS));
        assertEquals("gpg exited with value 2", bad.getMessage());
        String good = "gpg --quiet --homedir " + dir + " --batch --pinentry-mode loopback --passphrase-file "
                + Files.writeString(dir.resolve("pass"), TestKeys.PASS);
        AccountKey key = KeyLoader.load("gpg:" + enc, good, Specifiers.forCurrentProcess(), true, NO_PASS);
        assertEquals(load(TestKeys.get("p256-pkcs8"), NO_PASS).jwkJson(), key.jwkJson());
        AccountdException missing = assertThrows(AccountdException.class, () ->
                KeyLoader.load("gpg:" + enc, "/nonexistent/gpg", Specifiers.forCurrentProcess(), true, NO_PASS));
        assertTrue(missing.getMessage().startsWith("Can't run /nonexistent/gpg: "), missing.getMessage());
    }
}
