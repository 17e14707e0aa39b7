package lacme.accountd;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native signer (ACCP) in a child JVM: loaded from a safe directory it signs the same
 * RSA bytes as the JDK and ECDSA the JDK verifies; a missing, broken or unsafely placed
 * library falls back to the JDK, and ACCP never extracts its library to the temporary
 * directory (which it does by default).
 */
class NativeCryptoTest {
    static final String INPUT = "eyJhbGciOiJSUzI1NiJ9.eyJwcm9iZSI6dHJ1ZX0";
    private static final String TMP_PREFIX = "amazonCorrettoCryptoProviderNativeLibraries";
    private static Path base;
    private static Path good;

    /** The library as the distribution ships it: extracted from ACCP's jar, 0644 in a 0755 directory. */
    @BeforeAll
    static void extract() throws Exception {
        base = Path.of("target", "native-crypto-test").toAbsolutePath();
        TestKeys.deleteTree(base);
        good = Files.createDirectories(base.resolve("good"));
        String jar = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(j -> j.contains("AmazonCorrettoCryptoProvider")).findFirst().orElseThrow();
        try (ZipFile z = new ZipFile(jar);
             InputStream in = z.getInputStream(z.getEntry("com/amazon/corretto/crypto/provider/" + NativeCrypto.LIBRARY))) {
            Files.copy(in, good.resolve(NativeCrypto.LIBRARY));
        }
        for (Path p = good.resolve(NativeCrypto.LIBRARY); !p.equals(base.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
    }

    @Test
    void rsaSignaturesAreTheJdksBytesAndTheLibraryComesFromItsDirectory() throws Exception {
        Set<String> before = extracted();
        Path key = TestKeys.get("rsa-pkcs8");
        List<String> out = probe(good, key);
        assertEquals("(" + good.resolve(NativeCrypto.LIBRARY) + ")", out.get(0).replaceFirst("^ACCP [^ ]+ ", ""));
        assertEquals(jdkSignature(key), out.get(1));
        assertNothingExtracted(before);
    }

    @Test
    void ecdsaSignaturesVerifyWithTheJdk() throws Exception {
        for (String kind : List.of("p256-pkcs8", "p384-pkcs8")) {
            Path key = TestKeys.get(kind);
            List<String> out = probe(good, key);
            assertTrue(out.get(0).startsWith("ACCP "), out.get(0));
            AccountKey jdk = AccountKey.of(KeyLoader.parse(Files.readAllBytes(key), kind, null), kind);
            assertTrue(new ECDSAVerifier((ECKey) jdk.publicJwk()).verify(new JWSHeader(jdk.alg()),
                    INPUT.getBytes(StandardCharsets.US_ASCII), new Base64URL(out.get(1))), kind);
        }
    }

    @Test
    void noLibraryFallsBack() throws Exception {
        Set<String> before = extracted();
        Path key = TestKeys.get("rsa-pkcs8");
        List<String> out = probe(Files.createDirectories(base.resolve("empty")), key);
        assertTrue(out.get(0).startsWith("JDK provider (native ACCP not used: no "), out.get(0));
        assertEquals(jdkSignature(key), out.get(1));
    }

    @Test
    void brokenLibraryFallsBackWithoutExtractingTheJarsCopy() throws Exception {
        Set<String> before = extracted();
        Path dir = Files.createDirectories(base.resolve("broken"));
        Files.writeString(dir.resolve(NativeCrypto.LIBRARY), "not an ELF file\n");
        Path key = TestKeys.get("rsa-pkcs8");
        List<String> out = probe(dir, key);
        assertTrue(out.get(0).startsWith("JDK provider (native ACCP not used: ACCP did not load "), out.get(0));
        assertEquals(jdkSignature(key), out.get(1));
        assertNothingExtracted(before);
    }

    /** By default ACCP copies its library out of its jar to java.io.tmpdir and loads that copy. */
    private static void assertNothingExtracted(Set<String> before) throws Exception {
        Set<String> after = extracted();
        after.removeAll(before);
        assertEquals(Set.of(), after, "ACCP extracted its library to " + System.getProperty("java.io.tmpdir"));
    }

    @Test
    void libraryInADirectoryOthersMayWriteIsNotLoaded() throws Exception {
        Path dir = Files.createDirectories(base.resolve("open"));
        Files.copy(good.resolve(NativeCrypto.LIBRARY), dir.resolve(NativeCrypto.LIBRARY));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
        List<String> out = probe(dir, TestKeys.get("rsa-pkcs8"));
        assertEquals("JDK provider (native ACCP not used: " + dir + " is writable by others)", out.get(0));
    }

    @Test
    void theTemporaryDirectoryIsUnsafe() throws Exception {
        Path f = Files.createTempFile("lib", ".so");
        try {
            String why = NativeCrypto.unsafe(f);
            assertNotNull(why);
            assertTrue(why.endsWith("is writable by others"), why);
        } finally {
            Files.delete(f);
        }
        assertEquals(null, NativeCrypto.unsafe(good.resolve(NativeCrypto.LIBRARY)));
    }

    private static String jdkSignature(Path key) throws Exception {
        // this test JVM has no ACCP library on java.library.path: the JDK signs
        return AccountKey.of(KeyLoader.parse(Files.readAllBytes(key), key.toString(), null), key.toString())
                .sign(INPUT.getBytes(StandardCharsets.US_ASCII));
    }

    private static Set<String> extracted() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(TMP_PREFIX))
                    .collect(Collectors.toSet());
        }
    }

    private static List<String> probe(Path libDir, Path key) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.library.path=" + libDir, "-cp", System.getProperty("java.class.path"),
                NativeCryptoProbe.class.getName(), key.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not exit");
        assertEquals(0, p.exitValue(), out);
        return List.of(out.split("\n"));
    }
}
