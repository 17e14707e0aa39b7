package lacme.common.config;

import com.nimbusds.jose.util.JSONObjectUtils;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Config::Tiny reads, IniFile reads the same way: unit cases, then a table of tricky
 * inputs each parsed by the real Perl Config::Tiny (skipped when it is not installed) and by us.
 */
class IniFileTest {
    @TempDir
    Path dir;

    private static IniFile parse(String s) throws ConfigException {
        return IniFile.parse("test.conf", s);
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
        assertFalse(parse("[a]\n").has(IniFile.GLOBAL), "no global section without global keys");
    }

    @Test
    void keepsColonsAndBackslashesLiterallyAndCutsSemicolonComments() throws ConfigException {
        IniFile f = parse("[s]\nsubject = /CN=a\\/b\nurl = http://h:1/\ncont = a\\\nnext = 2\n"
                + "c = v ; comment\nd = v;not\ne = v ;\na:b = 1\n");
        assertEquals("/CN=a\\/b", f.section("s").get("subject"));
        assertEquals("http://h:1/", f.section("s").get("url"), "a colon in a value is kept");
        assertEquals("a\\", f.section("s").get("cont"), "no line continuation");
        assertEquals("2", f.section("s").get("next"));
        assertEquals("v", f.section("s").get("c"));
        assertEquals("v;not", f.section("s").get("d"));
        assertEquals("v ;", f.section("s").get("e"));
        assertEquals("1", f.section("s").get("a:b"), "a colon is part of the key");
    }

    @Test
    void aLineWithoutEqualsIsASyntaxErrorNamingTheFileAndLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("[s]\njust words\n"));
        assertEquals("test.conf: Syntax error at line 2: 'just words'", e.getMessage());
        assertThrows(ConfigException.class, () -> parse("[s\n"));
        assertThrows(ConfigException.class, () -> parse("= v\n"));
        assertThrows(ConfigException.class, () -> parse("[]\n"));
        assertThrows(ConfigException.class, () -> parse("key: value\n"));
    }

    @Test
    void missingFileAndDirectory() {
        assertEquals("Can't open " + dir.resolve("x") + ": No such file or directory",
                assertThrows(ConfigException.class, () -> IniFile.read(dir.resolve("x"))).getMessage());
        assertEquals("Can't open " + dir + ": Is a directory",
                assertThrows(ConfigException.class, () -> IniFile.read(dir)).getMessage());
    }

    static List<String> tricky() {
        return List.of(
                "a=1\n[s]\nb = 2\n",
                "[ spaced name ]\n  key with space  =  value with space  \n",
                "[a]\r\nk=v\r\n[b]\rk=w\r\r\nx=y",
                "[a] ; comment\nk = v ; c ; d\n",
                "[a ; b]\n",
                "[a]=b\n",
                "[a = b]\nk=v\n",
                "[_]\nk=v\n",
                "\t# indented comment\n\t;another\n \n[x]\n",
                "k==v\n",
                "k = = v\n",
                "k =\n",
                "k = v # x\n",
                "[a]\n[a]\nk=1\n[b]\n[a]\nl=2\n",
                "k\n",
                "=\n",
                "[a]]\n",
                "[[a]\n",
                "  [ a ]  \n",
                "key: value\n",
                "k = v\u00a0\n",
                "k\u00e9 = caf\u00e9\n",
                "k = v ;x\n",
                "k = v\t;\tx\n",
                "");
    }

    @ParameterizedTest
    @MethodSource("tricky")
    void parsesLikePerlConfigTiny(String text) throws Exception {
        Path f = dir.resolve("t.conf");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        String perl = perlConfigTiny(f);
        Map<String, Object> expected = JSONObjectUtils.parse(perl);
        Map<String, Object> ours;
        try {
            IniFile ini = IniFile.read(f);
            Map<String, Object> m = new TreeMap<>();
            for (String s : ini.sectionNames()) {
                m.put(s, new TreeMap<>(ini.section(s)));
            }
            ours = Map.of("ok", m);
        } catch (ConfigException e) {
            String msg = e.getMessage();
            ours = Map.of("err", msg.substring(msg.indexOf(": ") + 2));
        }
        assertEquals(normalize(expected), normalize(ours), "input: " + text);
    }

    static List<String> debianFiles() {
        return List.of("/etc/lacme/lacme.conf", "/etc/lacme/lacme-certs.conf", "/etc/lacme/lacme-accountd.conf");
    }

    /** The configuration files of the Debian package, as installed, read the same by both. */
    @ParameterizedTest
    @MethodSource("debianFiles")
    void debianPackageFilesParseLikePerl(String file) throws Exception {
        Path p = Path.of(file);
        Assumptions.assumeTrue(Files.isReadable(p), file + " is not installed");
        parsesLikePerlConfigTiny(Files.readString(p));
    }

    private static Object normalize(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> t = new TreeMap<>();
            m.forEach((k, v) -> t.put((String) k, normalize(v)));
            return t;
        }
        return o;
    }

    private static String perlConfigTiny(Path f) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "no perl");
        String script = "use Config::Tiny; use JSON; my $h = Config::Tiny->read($ARGV[0]);"
                + " print JSON->new->canonical->encode($h ? {ok => {%$h}} : {err => Config::Tiny->errstr});";
        Process p = new ProcessBuilder("/usr/bin/perl", "-e", script, f.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                "Perl's Config::Tiny and JSON are not installed");
        return out;
    }

    /**
     * Fuzzing finding: the header and property regular expressions backtracked in cubic time,
     * so a 4 KB line without '=' or ']' took about a minute. Now linear.
     */
    @Test
    @Timeout(10)
    void longLinesWithoutStructureAreRefusedQuickly() {
        String blanks = " ".repeat(100_000);
        for (String line : List.of("[" + blanks + "x", blanks + "x ; " + blanks, "a" + blanks + "b")) {
            assertThrows(ConfigException.class, () -> IniFile.parse("f", line));
        }
    }

    /** The hand-written matchers agree with Config::Tiny's expressions on every short line of these characters. */
    @Test
    void headerAndPropertyMatchConfigTinysExpressions() {
        char[] alphabet = {' ', '\t', '[', ']', '=', 'a', 0x0b};
        int[] idx = new int[7];
        for (int len = 0; len <= idx.length; len++) {
            java.util.Arrays.fill(idx, 0);
            while (true) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < len; i++) {
                    b.append(alphabet[idx[i]]);
                }
                String line = b.toString();
                assertEquals(ConfigTinyRegex.header(line), IniFile.header(line), line);
                assertEquals(List.of(java.util.Objects.requireNonNullElse(ConfigTinyRegex.property(line), new String[0])),
                        List.of(java.util.Objects.requireNonNullElse(IniFile.property(line), new String[0])), line);
                int k = 0;
                while (k < len && ++idx[k] == alphabet.length) {
                    idx[k++] = 0;
                }
                if (k == len) {
                    break;
                }
            }
        }
    }
}
