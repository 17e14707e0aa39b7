package lacme.common.config;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Config::Tiny reads, IniFile reads the same way. */
class IniFileTest {
    private static IniFile parse(String s) throws ConfigException {
        return IniFile.parse("test.conf", new StringReader(s));
    }

    @Test
    void readsLikeConfigTiny() throws ConfigException {
        IniFile f = parse("top = 1\n  # comment\n; other comment\n\n[ a ]\nk=v # not a comment\n"
                + "url = http://x:80/y=z\nempty =\n[b]\n[a]\nk = later\n");
        assertEquals(Map.of("top", "1"), f.section(IniFile.GLOBAL));
        assertEquals("later", f.section("a").get("k"), "a repeated key: the later value wins");
        assertEquals("http://x:80/y=z", f.section("a").get("url"), "only the first = separates");
        assertEquals("", f.section("a").get("empty"));
        assertTrue(f.has("b"));
        assertFalse(f.has("c"));
    }

    @Test
    void keepsColonsAndBackslashesLiterally() throws ConfigException {
        IniFile f = parse("[s]\nsubject = /CN=a\\/b\nurl = http://h:1/\ncont = a\\\nnext = 2\n");
        assertEquals("/CN=a\\/b", f.section("s").get("subject"));
        assertEquals("http://h:1/", f.section("s").get("url"), "a colon in a value is kept");
        assertEquals("a\\", f.section("s").get("cont"), "no line continuation");
        assertEquals("2", f.section("s").get("next"));
    }

    @Test
    void aLineWithoutEqualsIsASyntaxErrorNamingTheFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("[s]\njust words\n"));
        assertTrue(e.getMessage().startsWith("test.conf: syntax error"), e.getMessage());
        assertThrows(ConfigException.class, () -> parse("[s\n"));
        assertThrows(ConfigException.class, () -> parse("= v\n"));
    }
}
