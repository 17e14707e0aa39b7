package lacme.master.config;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertConfTest {
    @TempDir
    Path dir;

    private final Specifiers sp = Specifiers.of(Map.of(), 0, 0, "root", "root", "/root");

    @Test
    void mergesFilesAndDirectoriesAsLacme() throws Exception {
        Files.writeString(dir.resolve("lacme-certs.conf"), "min-days = 10\n[a]\nsubject = /CN=a.example\n[b]\nsubject = /CN=old\n");
        Path d = Files.createDirectory(dir.resolve("lacme-certs.conf.d"));
        Files.writeString(d.resolve("20-b.conf"), "[b]\nsubject = /CN=b.example\n");
        Files.writeString(d.resolve("10-x.conf"), "hash = sha384\n[x]\nsubject = /CN=x.example\nmin-days = 5\n");
        Files.writeString(d.resolve("README"), "ignored\n");
        Map<String, Map<String, String>> c = CertConf.load(List.of("lacme-certs.conf", "lacme-certs.conf.d/"), dir, sp,
                LoggerFactory.getLogger("test"));
        assertEquals(List.of("a", "b", "x"), List.copyOf(c.keySet()));
        assertEquals("10", c.get("a").get("min-days"));
        assertNull(c.get("a").get("hash"), "defaults of later files do not reach earlier sections");
        assertEquals("/CN=b.example", c.get("b").get("subject"), "a later definition replaces the section");
        assertEquals("sha384", c.get("b").get("hash"));
        assertEquals("5", c.get("x").get("min-days"), "a section's own key beats the default");
    }

    @Test
    void unknownKeyIsNamedWithFileAndSection() throws Exception {
        Files.writeString(dir.resolve("c.conf"), "[www]\ncertifcate = /x\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> CertConf.load(List.of("c.conf"), dir, sp, LoggerFactory.getLogger("test")));
        assertTrue(e.getMessage().endsWith("c.conf: Unknown option(s) in [www]: certifcate"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> CertConf.load(List.of("missing.d/"), dir, sp, LoggerFactory.getLogger("test")));
        assertTrue(e.getMessage().contains("missing.d"), e.getMessage());
    }
}
