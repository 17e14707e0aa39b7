package lacme.master;

import lacme.common.cli.LongOptions.UsageException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lacme}'s command line (MasterOptions) and its --help; no command is run here. */
class MasterMainTest {
    @Test
    void helpListsEveryOptionAndCommand() {
        for (String name : MasterOptions.OPTIONS.spellings()) {
            assertTrue(MasterOptions.HELP.matches("(?s).*(^|[\\s\\[,])" + name + "[\\s=\\],].*"),
                    name + " missing from --help");
        }
        for (String command : MasterOptions.COMMANDS) {
            assertTrue(MasterOptions.HELP.contains(command), command + " missing from --help");
        }
        assertTrue(MasterOptions.HELP.startsWith(
                "Usage: lacme [--config=FILE] [--socket=PATH] [OPTIONS] COMMAND [ARGUMENT ..]\n"));
    }

    @Test
    void optionsAnywhereBothSpellingsRepeatableConfigCerts() {
        MasterOptions m = MasterOptions.parse("newOrder", "--config", "/c.conf", "--config-certs=a", "www",
                "--config-certs", "b", "-q", "--min-days", "-3", "--socket=/s", "--", "--force");
        assertEquals("/c.conf", m.config);
        assertEquals(List.of("a", "b"), m.configCerts);
        assertEquals("/s", m.socket);
        assertEquals(-3, m.minDays);
        assertTrue(m.quiet);
        assertFalse(m.force);
        assertEquals(List.of("newOrder", "www", "--force"), m.args);
        MasterOptions none = MasterOptions.parse("account", "--register", "--tos-agreed", "mailto:a@b");
        assertNull(none.configCerts, "no --config-certs: lacme.conf's config-certs applies");
        assertNull(none.minDays);
        assertTrue(none.register && none.tosAgreed && !none.deactivate);
        assertTrue(MasterOptions.parse("-qh").help);
    }

    @Test
    void usageErrorsNameTheOption() {
        assertEquals("Unknown option: '--conf'", error("--conf=/x", "account"));
        assertEquals("Option --config requires a value", error("--config"));
        assertEquals("Option --config requires a value", error("--config", "--debug", "account"));
        assertEquals("Option --config given more than once", error("--config=/a", "--config=/b", "account"));
        assertEquals("Option --force takes no value", error("--force=false", "newOrder"));
        assertEquals("Invalid value for option --min-days: 'soon' is not a number", error("--min-days=soon"));
        assertEquals("Invalid value for option --min-days: '99999999999' is out of range",
                error("--min-days=99999999999"));
    }

    @Test
    void noArgumentFileExpansion() {
        // picocli read "@FILE" as more arguments; root must not take arguments from a file
        assertEquals(List.of("@/etc/hostname"), MasterOptions.parse("@/etc/hostname").args);
    }

    @Test
    void runExitsOneOnUsageErrorsAndZeroOnHelpAndVersion() {
        assertEquals(1, quietly("--bogus", "account"));
        assertEquals(1, quietly());
        assertEquals(1, quietly("frobnicate"));
        assertEquals(0, quietly("--help"));
        assertEquals(0, quietly("--version", "frobnicate"));
    }

    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> MasterOptions.parse(args)).getMessage();
    }

    /** MasterMain.run's exit status, its stdout and stderr discarded. */
    private static int quietly(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        System.setOut(sink);
        System.setErr(sink);
        try {
            return MasterMain.run(args, new Cleanup());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
