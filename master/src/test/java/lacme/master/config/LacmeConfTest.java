package lacme.master.config;

import lacme.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LacmeConfTest {
    @TempDir
    Path dir;

    private LacmeConf read(String text, boolean socket) throws Exception {
        Path f = dir.resolve("lacme.conf");
        Files.writeString(f, text);
        return LacmeConf.read(f, Path.of("/usr"), socket);
    }

    @Test
    void debianPackageConfigParsesWithLacmeDefaults() throws Exception {
        Path shipped = Path.of("/etc/lacme/lacme.conf");
        String text = Files.exists(shipped) ? Files.readString(shipped)
                : "[client]\n#user = x\n[webserver]\n[accountd]\n";
        LacmeConf c = read(text, false);
        assertEquals("_lacme-client", c.client().get("user"));
        assertEquals("nogroup", c.client().get("group"));
        assertEquals("/usr/libexec/lacme/client", c.client().get("command"));
        assertEquals("%t/S.lacme", c.client().get("socket"));
        assertNull(c.client().get("server"));
        assertEquals("/run/lacme-www.socket", c.webserver().get("listen"));
        assertEquals("_lacme-www", c.webserver().get("user"));
        assertEquals("No", c.webserver().get("iptables"));
        assertNotNull(c.accountd(), "[accountd] present: spawn it");
        assertEquals("/usr/bin/lacme-accountd", c.accountd().get("command"));
        assertEquals("Yes", c.accountd().get("quiet"));
    }

    @Test
    void socketOptionOrMissingSectionMeansConnect() throws Exception {
        assertNull(read("[client]\n", false).accountd());
        assertNull(read("[accountd]\n", true).accountd());
    }

    @Test
    void unknownKeysAndSectionsAreNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> read("[client]\nserver = x\nsevrer = y\n", false));
        assertTrue(e.getMessage().endsWith("Unknown option(s) in [client]: sevrer"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> read("[client]\n[clinet]\n", false));
        assertTrue(e.getMessage().endsWith("Invalid section(s): clinet"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> read("[webserver]\nlisten\n", false));
        assertTrue(e.getMessage().contains("lacme.conf"), e.getMessage());
    }

    @Test
    void configCertsIsSplitLikePerl() throws Exception {
        assertNull(read("[client]\n", false).configCerts());
        assertEquals(List.of(), read("config-certs =\n", false).configCerts());
        assertEquals(List.of("a.conf", "b.d/", "%E/c"), read("config-certs = a.conf  b.d/\t%E/c\n", false).configCerts());
        assertEquals(List.of("x"), read("[_]\nconfig-certs = x\n", false).configCerts());
    }

    @Test
    void defaultSectionKeysAreNotCheckedAndConfigTinySyntaxRules() throws Exception {
        assertEquals("bar", read("foo = bar\n", false).defaults().get("foo"));
        assertEquals("x", read("[client] ; comment\nuser = x ; comment\n", false).client().get("user"));
        assertEquals("", read("[client]\nuser =\n", false).client().get("user"), "empty: no privilege drop");
        ConfigException e = assertThrows(ConfigException.class, () -> read("[client]\nuser: x\n", false));
        assertEquals(dir.resolve("lacme.conf") + ": Syntax error at line 2: 'user: x'", e.getMessage());
        e = assertThrows(ConfigException.class, () -> read("[client]\nuser:x = y\n", false));
        assertEquals(dir.resolve("lacme.conf") + ": Unknown option(s) in [client]: user:x", e.getMessage());
        assertEquals("/x", read("[client]\nSSL_ca_file = /x\n", false).client().get("SSL_ca_file"),
                "our extension");
    }
}
