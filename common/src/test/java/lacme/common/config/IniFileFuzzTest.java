package lacme.common.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the INI reader with arbitrary file contents (decoded as {@link IniFile#read} does:
 * UTF-8, malformed bytes replaced). Contract: a parse either succeeds or throws
 * {@link ConfigException} with a one-line message naming the file and the line; header and
 * property lines are recognised exactly as Config::Tiny's expressions do; a section
 * name or key is never empty and never holds a line break; a section name is trimmed (but
 * for Config::Tiny's one-blank name of {@code [   ]}); a key never holds {@code =}.
 * Anything else (another exception, a hang past the per-input timeout) is a finding.
 */
class IniFileFuzzTest {
    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    void parse(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String line : text.split("\r\n|\r|\n")) {
            if (line.length() <= 40) { // the regexes are the reference, but cubic on long lines
                assertEquals(ConfigTinyRegex.header(line), IniFile.header(line), line);
                assertArrayEquals(ConfigTinyRegex.property(line), IniFile.property(line), line);
            }
        }
        IniFile ini;
        try {
            ini = IniFile.parse("/etc/lacme/lacme.conf", text);
        } catch (ConfigException e) {
            String m = e.getMessage();
            assertTrue(m.startsWith("/etc/lacme/lacme.conf: Syntax error at line "), m);
            assertFalse(m.contains("\n") || m.contains("\r"), m);
            return;
        }
        for (String name : ini.sectionNames()) {
            assertFalse(name.isEmpty() || name.contains("\n") || name.contains("\r"), name);
            // trimmed of \s (ASCII blanks only: Java's strip() also takes U+001C..U+001F, which
            // Perl keeps), except that Config::Tiny reads "[   ]" as a section named by its last blank
            assertTrue(name.equals(name.replaceAll("^[ \\t\\n\\x0B\\f\\r]+|[ \\t\\n\\x0B\\f\\r]+$", ""))
                    || name.length() == 1, name);
            for (Map.Entry<String, String> kv : ini.section(name).entrySet()) {
                String k = kv.getKey();
                assertFalse(k.isEmpty() || k.contains("=") || k.contains("\n") || k.contains("\r"), k);
                assertFalse(kv.getValue().contains("\n") || kv.getValue().contains("\r"), kv.getValue());
            }
        }
    }
}
