package lacme.common.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes %-specifier expansion (config values, command-line paths) for root and for an
 * ordinary user without XDG_RUNTIME_DIR. Contract: the result or a {@link ConfigException}
 * quoting the string, nothing else; text without {@code %} is left alone; each character
 * grows into at most the longest expansion, so the output is bounded by the input.
 */
class SpecifiersFuzzTest {
    private static final Map<String, String> ENV = Map.of("HOME", "/home/u", "TMPDIR", "/var/tmp");
    private static final Specifiers ROOT = Specifiers.of(ENV, 0, 0, "root", "root", "/root");
    private static final Specifiers USER = Specifiers.of(ENV, 1000, 1000, "u", "g", "/home/u");
    private static final int LONGEST = "/home/u/.config".length();

    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    void expand(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        for (Specifiers sp : new Specifiers[] {ROOT, USER}) {
            String out;
            try {
                out = sp.expand(s);
            } catch (ConfigException e) {
                assertTrue(e.getMessage().contains("\"" + s + "\""), e.getMessage());
                continue;
            }
            if (s.indexOf('%') < 0) {
                assertEquals(s, out);
            }
            assertTrue(out.length() <= (long) s.length() * LONGEST, "expansion out of bounds");
        }
    }
}
