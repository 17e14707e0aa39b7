package lacme.common.cli;

import java.util.List;
import java.util.Set;
import lacme.common.cli.LongOptions.UsageException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LongOptionsTest {
    private final LongOptions opts = new LongOptions().flag("--debug").flag("--help", "-h")
            .value("--dir").value("--timeout").operands(1);

    @Test
    void valuesBothSpellingsFlagsAliasesAndOperands() {
        LongOptions.Parsed p = opts.parse("3", "--dir", "/a", "--timeout=0", "-h");
        assertEquals("/a", p.value("--dir", null));
        assertEquals(0, p.number("--timeout", 60));
        assertTrue(p.has("--help"));
        assertFalse(p.has("--debug"));
        assertEquals(List.of("3"), p.operands());
        assertEquals(60, opts.parse().number("--timeout", 60));
        assertEquals("", opts.parse("--dir=").value("--dir", null));
        assertEquals("-x", opts.parse("--dir", "-x").value("--dir", null)); // an unknown name is a value
    }

    @Test
    void doubleDashEndsOptions() {
        assertEquals(List.of("--debug"), opts.parse("--", "--debug").operands());
        assertEquals(List.of("-"), opts.parse("-").operands());
    }

    @Test
    void errorsAreOneLineAndNameTheArgument() {
        assertEquals("Unknown option: '--bogus'", error("--bogus"));
        assertEquals("Unknown option: '--bogus'", error("--bogus=1"));
        assertEquals("Unknown option: '-x'", error("-x"));
        assertEquals("Unknown option: '--dirs'", error("--dirs", "/a")); // no abbreviations either way
        assertEquals("Unknown option: '--di'", error("--di", "/a"));
        assertEquals("Option --dir requires a value", error("--dir"));
        assertEquals("Option --dir requires a value", error("--dir", "--debug"));
        assertEquals("Option --debug takes no value", error("--debug=1"));
        assertEquals("Option --dir given more than once", error("--dir=a", "--dir", "b"));
        assertEquals("Unmatched argument: 'b'", error("a", "b"));
        assertEquals("Unknown option: '--a b'", error("--a\nb"));
        UsageException e = assertThrows(UsageException.class, () -> opts.parse("--timeout=x").number("--timeout", 1));
        assertEquals("Invalid value for option --timeout: 'x' is not a number", e.getMessage());
    }

    @Test
    void shortFlagsBundleButNotWithValueOptionsOrUnknownLetters() {
        LongOptions q = new LongOptions().flag("--quiet", "-q").flag("--help", "-h").value("--file", "-f");
        LongOptions.Parsed p = q.parse("-qh");
        assertTrue(p.has("--quiet") && p.has("--help"));
        assertEquals("Unknown option: '-qf'", assertThrows(UsageException.class, () -> q.parse("-qf")).getMessage());
        assertEquals("Unknown option: '-qx'", assertThrows(UsageException.class, () -> q.parse("-qx")).getMessage());
        assertEquals("a", q.parse("-f", "a").value("--file", null));
    }

    @Test
    void lastWinsIsGetoptLongsRepeatedOption() {
        LongOptions l = new LongOptions().value("--config").lastWins();
        assertEquals("/b", l.parse("--config", "/a", "--config=/b").value("--config", null));
    }

    @Test
    void aRepeatableOptionKeepsEveryValueInOrder() {
        LongOptions r = new LongOptions().repeatable("--certs").value("--config");
        LongOptions.Parsed p = r.parse("--certs=a", "x", "--certs", "b", "--certs=");
        assertEquals(List.of("a", "b", ""), p.values("--certs"));
        assertEquals(List.of("x"), p.operands());
        assertEquals(List.of(), r.parse("x").values("--certs"));
        assertEquals("Option --certs requires a value", assertThrows(UsageException.class,
                () -> r.parse("--certs")).getMessage());
        assertEquals("Option --config given more than once", assertThrows(UsageException.class,
                () -> r.parse("--config=a", "--config=b")).getMessage());
    }

    @Test
    void spellingsAreEveryNameAndAlias() {
        assertEquals(Set.of("--debug", "--help", "-h", "--dir", "--timeout"), opts.spellings());
    }

    @Test
    void aRepeatedFlagIsHarmless() {
        assertTrue(opts.parse("--debug", "--debug").has("--debug"));
    }

    @Test
    void declaringANameTwiceIsAProgrammingError() {
        assertThrows(IllegalStateException.class, () -> new LongOptions().flag("--a").value("--a"));
        assertThrows(IllegalStateException.class, () -> new LongOptions().flag("--a", "--a"));
        assertThrows(IllegalStateException.class, () -> new LongOptions().flag("a"));
    }

    private String error(String... args) {
        return assertThrows(UsageException.class, () -> opts.parse(args)).getMessage();
    }
}
