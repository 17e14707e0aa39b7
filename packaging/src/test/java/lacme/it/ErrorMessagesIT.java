package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Errors that say what to fix, through the installed launchers against a real Pebble (issue
 * 15, failure 5): one line naming the file, not a cascade from three processes ending in a
 * misleading "Connection reset by peer".
 */
class ErrorMessagesIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.builder().start();
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void aMissingAccountKeyIsOneLineNamingTheFile() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("nokey"));
        Path conf = Tree.write(dir, Tree.Settings.of(pebble));
        Path key = dir.resolve("account.key");
        Dist.register(dir, conf); // the account exists; only its key file goes missing
        Files.delete(key);
        Dist.Run r = Dist.run(dir, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder", "--force"), 120);
        System.err.println("missing account key: " + r);
        assertEquals(1, r.exit(), r.toString());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), "one line: " + r.stderr());
        assertTrue(lines.get(0).contains(key.toString()), "names the file: " + r.stderr());
        assertFalse(r.stderr().contains("Connection reset"), r.stderr());
        assertFalse(Files.exists(dir.resolve("ec.crt")), "nothing installed");
    }
}
