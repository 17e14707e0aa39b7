package lacme.master.install;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import lacme.master.csr.Identifiers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes certificate chains as the master reads them: the client's answer and CAfile (PEM,
 * {@link Pem#parse}) and revokeCert's file (PEM or else DER, {@link Pem#readFirst}), then
 * what the master does with what parsed: {@link ChainVerifier#verify} against the chain's
 * own self-signed certificates as CAfile, and {@link CertSummary#of}. The first byte picks
 * PEM text (even) or a file (odd). Contract: parsing fails only with
 * {@link CertificateException}; verification only with {@link GeneralSecurityException}; a
 * summary never fails and has no control, format or line-separator characters but its
 * line breaks (it goes to root's terminal).
 */
class CertChainFuzzTest {
    /** Inside the validity of the seed certificates (src/test/resources/.../CertChainFuzzTestInputs). */
    private static final Instant NOW = Instant.parse("2027-01-01T00:00:00Z");
    private static final List<Identifiers.Name> NAMES = List.of(new Identifiers.Name("dns", "example.org"));
    private static Path file;

    @BeforeAll
    static void setUp() throws Exception {
        file = Files.createTempFile("chain-fuzz", ".crt");
    }

    @AfterAll
    static void tearDown() throws Exception {
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "10s")
    @Timeout(10)
    @DictionaryEntries({"-----BEGIN CERTIFICATE-----\\x0a", "\\x0a-----END CERTIFICATE-----\\x0a",
            "-----BEGIN X509 CERTIFICATE-----", "-----END X509 CERTIFICATE-----"})
    void parse(byte[] data) throws Exception {
        if (data.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        List<X509Certificate> chain;
        try {
            if ((data[0] & 1) == 0) {
                chain = Pem.parse(new String(rest, StandardCharsets.ISO_8859_1));
            } else {
                Files.write(file, rest);
                chain = List.of(Pem.readFirst(file));
            }
        } catch (CertificateException e) {
            return;
        }
        if (chain.isEmpty()) {
            return;
        }
        for (X509Certificate c : chain) {
            String summary = CertSummary.of(c);
            assertTrue(summary.codePoints().allMatch(cp -> cp == '\n' || !unsafe(cp)), summary);
            assertFalse(CertSummary.of(c, false).isEmpty());
        }
        try {
            ChainVerifier.verify(chain, chain.get(0).getPublicKey(), chain, NAMES, NOW);
        } catch (GeneralSecurityException e) {
            // refused: fine
        }
    }

    private static boolean unsafe(int cp) {
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR;
    }
}
