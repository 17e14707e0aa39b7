package lacme.master.config;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lacme's merging of certificate files and directories (the Perl comparison is ConfigParityTest). */
class CertConfTest {
    @TempDir
    Path dir;

    private final Specifiers sp = Specifiers.of(Map.of(), 0, 0, "root", "root", "/root");
    private final RecordingReporter report = new RecordingReporter(true);
    private final List<String> lines = report.lines();

    private Map<String, Map<String, String>> load(String... items) throws ConfigException {
        return CertConf.load(List.of(items), dir.resolve("lacme.conf").toString(), sp, report);
    }

    @Test
    void mergesFilesAndDirectoriesAsLacme() throws Exception {
        Files.writeString(dir.resolve("lacme-certs.conf"), "min-days = 10\n[a]\nsubject = /CN=a.example\n"
                + "[b]\nsubject = /CN=old\n");
        Path d = Files.createDirectory(dir.resolve("lacme-certs.conf.d"));
        Files.writeString(d.resolve("20-b.conf"), "[b]\nsubject = /CN=b.example\n");
        Files.writeString(d.resolve("10-x.conf"), "hash = sha384\n[x]\nsubject = /CN=x.example\nmin-days = 5\n");
        Files.writeString(d.resolve("README"), "ignored\n");
        Map<String, Map<String, String>> c = load("lacme-certs.conf", "lacme-certs.conf.d/");
        assertEquals(List.of("a", "b", "x"), List.copyOf(c.keySet()));
        assertEquals("10", c.get("a").get("min-days"));
        assertNull(c.get("a").get("hash"), "defaults of later files do not reach earlier sections");
        assertEquals("/CN=b.example", c.get("b").get("subject"), "a later definition replaces the section");
        assertEquals("sha384", c.get("b").get("hash"));
        assertEquals("5", c.get("x").get("min-days"), "a section's own key beats the default");
        assertTrue(lines.contains("W " + d + "/README has unknown suffix, skipping"), lines.toString());
        assertTrue(lines.contains("D Reading " + d + "/10-x.conf"), lines.toString());
        assertTrue(lines.indexOf("D Reading " + d + "/10-x.conf") < lines.indexOf("D Reading " + d + "/20-b.conf"));
    }

    @Test
    void pathsAreRelativeToLacmeConfsDirectoryAndExpanded() throws Exception {
        Files.writeString(dir.resolve("c-0.conf"), "[a]\ncertificate = x\n");
        assertEquals(List.of("a"), List.copyOf(load("c-%U.conf").keySet()));
        assertEquals(List.of("a"), List.copyOf(load(dir + "/c-0.conf").keySet()));
        assertEquals(Map.of(), load(), "no item, no section");
        assertEquals(".", CertConf.dirname("lacme.conf"));
        assertEquals("/", CertConf.dirname("/lacme.conf"));
        assertEquals("/etc/lacme", CertConf.dirname("/etc/lacme//lacme.conf"));
        assertEquals("a", CertConf.dirname("a/b/"));
    }

    @Test
    void defaultKeysAreNotCheckedButMerged() throws Exception {
        Files.writeString(dir.resolve("c.conf"), "junk = 1\n[a]\n");
        assertEquals("1", load("c.conf").get("a").get("junk"));
    }

    @Test
    void errorsNameFileSectionAndKey() throws Exception {
        Files.writeString(dir.resolve("c.conf"), "[www]\ncertifcate = /x\n");
        ConfigException e = assertThrows(ConfigException.class, () -> load("c.conf"));
        assertEquals(dir + "/c.conf: Unknown option(s) in [www]: certifcate", e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("missing.d/"));
        assertEquals("opendir(" + dir + "/missing.d): No such file or directory", e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("c.conf/"));
        assertEquals("opendir(" + dir + "/c.conf): Not a directory", e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("nope.conf"));
        assertEquals("Can't open " + dir + "/nope.conf: No such file or directory", e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("%q.conf"));
        assertEquals("\"%q.conf\" has unknown specifier %q", e.getMessage());
    }

    @Test
    void debianCertsConfParses() throws Exception {
        Path shipped = Path.of("/etc/lacme/lacme-certs.conf");
        if (Files.exists(shipped)) {
            assertEquals(Map.of(), CertConf.load(List.of(shipped.toString()), "/etc/lacme/lacme.conf", sp, report));
        }
    }
}
