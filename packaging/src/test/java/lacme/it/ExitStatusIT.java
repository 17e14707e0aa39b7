package lacme.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exit status and messages as lacme's, through the installed launcher: usage errors exit 1
 * with "Try 'lacme --help'...", a missing section is a warning and exit 1, a failed order
 * exits 1 after cleaning up, and no Java stack trace reaches the user without --debug.
 * Needs no CA: the ACME server here is a closed port.
 */
class ExitStatusIT {
    static final String TRY = "Try 'lacme --help' or consult the manpage for more information.";
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        conf = Tree.writeWithoutCa(tmp);
    }

    static Dist.Run lacme(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Dist.lacme().toString()));
        argv.addAll(List.of(args));
        Dist.Run r = Dist.run(tmp, argv, 120);
        if (!List.of(args).contains("--debug")) {
            assertFalse(r.stderr().contains("\tat "), "no stack trace without --debug: " + r);
        }
        return r;
    }

    static void usageError(Dist.Run r, String message) {
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains(message), r.toString());
        assertTrue(r.stderr().endsWith(TRY + "\n"), r.toString());
        assertEquals("", r.stdout());
    }

    @Test
    void usageErrors() throws Exception {
        usageError(lacme(), "Missing command");
        usageError(lacme("frobnicate"), "Invalid command: frobnicate");
        usageError(lacme("--no-such-option", "account"), "--no-such-option");
        usageError(lacme("--min-days=soon", "newOrder"), "--min-days");
        usageError(lacme("--config"), "--config");
    }

    @Test
    void helpAndVersionExitZero() throws Exception {
        Dist.Run h = lacme("--help");
        assertEquals(0, h.exit(), h.toString());
        assertTrue(h.stderr().startsWith("Usage: lacme [--config=FILE] [--socket=PATH] [OPTIONS] COMMAND [ARGUMENT ..]"), h.toString());
        Dist.Run v = lacme("--version");
        assertEquals(0, v.exit(), v.toString());
    }

    @Test
    void missingConfigurationIsOneLine() throws Exception {
        Dist.Run r = lacme("--config=" + tmp.resolve("nonexistent.conf"), "account");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.stderr().lines().count(), r.toString());
        assertTrue(r.stderr().contains(tmp.resolve("nonexistent.conf").toString()), r.toString());
    }

    @Test
    void missingSectionIsAWarningAndExitOne() throws Exception {
        Dist.Run r = lacme("--config=" + conf, "newOrder", "nosuch");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("No such section nosuch, skipping"), r.toString());
    }

    @Test
    void failedOrderExitsOneAndCleansUp() throws Exception {
        Dist.Run r = lacme("--config=" + conf, "newOrder", "ec");
        assertEquals(1, r.exit(), r.toString());
        assertFalse(Files.exists(tmp.resolve("www.socket")), "listen socket unlinked: " + r);
        assertFalse(Files.exists(tmp.resolve("ec.crt")));
    }

    @Test
    void debugShowsWhatHappened() throws Exception {
        Dist.Run r = lacme("--debug", "--config=" + conf, "newOrder", "ec");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("Forking"), "children are logged with --debug: " + r);
        assertFalse(Files.exists(tmp.resolve("www.socket")));
    }

    @Test
    void absentAccountdSocketSaysSo() throws Exception {
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Dist.Run r = lacme("--config=" + conf, "--socket=" + run.resolve("S.lacme"), "account");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("(Is lacme-accountd running?)"), r.toString());
        assertEquals(1, r.stderr().lines().count(), r.toString());
    }

    @Test
    void aClientThatDiesFailsTheRunPromptly() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dying-client"));
        Tree.Settings s = new Tree.Settings("https://127.0.0.1:1/dir", tmp.resolve("no-ca.pem"), 1, null);
        s.webserver.put("listen", dir.resolve("www.socket").toString());
        s.client.put("command", "/bin/false");
        s.sections = List.of("ec");
        Path c = Tree.write(dir, s);
        Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + c, "newOrder"), 30);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("the client exited"), r.toString());
        assertFalse(Files.exists(dir.resolve("www.socket")));
    }

    /**
     * issue 16: a distribution the client user cannot reach (a clone in root's mode-0700 home)
     * is one line from root before anything is spawned, not a shell error inside the child.
     */
    @Test
    void aClientCommandItsUserCannotReachIsOneLineBeforeSpawning() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Dist.isRoot(), "the drop needs root");
        Path dir = Files.createDirectories(tmp.resolve("private-client"));
        Path home = Files.createDirectories(dir.resolve("root"));
        Path client = home.resolve("client");
        Files.writeString(client, "#!/bin/sh\nexec " + Dist.client() + " \"$@\"\n");
        Files.setPosixFilePermissions(client, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Tree.Settings s = new Tree.Settings("https://127.0.0.1:1/dir", tmp.resolve("no-ca.pem"), 1, null);
        s.webserver.put("listen", dir.resolve("www.socket").toString());
        s.client.put("command", client.toString());
        s.sections = List.of("ec");
        Path c = Tree.write(dir, s);
        Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + c, "account"), 60);
        assertEquals(1, r.exit(), r.toString());
        assertEquals("[ERROR] lacme - " + client + " is not readable/executable by _lacme-client (" + home
                + " is mode 0700)\n", r.stderr(), r.toString());
    }
}
