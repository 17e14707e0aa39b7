package lacme.webserver;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: --help, --version, one-line usage errors with status 2. */
class CommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void helpAndVersionGoToStdoutWithStatus0() throws Exception {
        String[] help = run("--help");
        assertEquals("0", help[0], help[2]);
        assertTrue(help[1].startsWith("Usage: lacme-webserver [--debug] [--tls-alpn] [FD]\n"), help[1]);
        assertTrue(help[1].contains("--listen=ADDR[:PORT]"), help[1]);
        assertEquals(help[1], run("-h")[1]);
        String[] version = run("--version");
        assertEquals("0", version[0], version[2]);
        assertTrue(version[1].matches("lacme-webserver \\(lacme for Java\\) \\S+\n"), version[1]);
    }

    @Test
    void usageErrorsAreOneLinePlusAHintWithStatus2() throws Exception {
        for (List<String> args : List.of(List.of("--bogus"), List.of("--listen"), List.of("--debug=1"),
                List.of("--timeout=x", "--listen", "127.0.0.1:0"), List.of("0", "1"), List.of("fd"),
                List.of("--listen", "a", "--listen", "b"))) {
            String[] r = run(args.toArray(String[]::new));
            assertEquals("2", r[0], args + ": " + r[2]);
            String[] lines = r[2].split("\n");
            assertEquals(2, lines.length, args + ": " + r[2]);
            assertTrue(lines[0].startsWith("lacme-webserver: "), r[2]);
            assertEquals("Try 'lacme-webserver --help' for more information.", lines[1]);
            assertFalse(r[2].contains("\tat "), r[2]);
        }
        assertTrue(run("--bogus")[2].startsWith("lacme-webserver: Unknown option: '--bogus'\n"));
    }

    /** Exit status, stdout, stderr of the webserver with {@code args}. */
    private String[] run(String... args) throws Exception {
        List<String> cmd = ServerProcess.java();
        cmd.addAll(List.of(args));
        File out = tmp.resolve("out").toFile();
        File err = tmp.resolve("err").toFile();
        Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "webserver did not exit");
        return new String[] {Integer.toString(p.exitValue()), Files.readString(out.toPath(), StandardCharsets.UTF_8),
            Files.readString(err.toPath(), StandardCharsets.UTF_8)};
    }
}
