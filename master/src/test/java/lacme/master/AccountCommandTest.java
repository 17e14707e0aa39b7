package lacme.master;

import lacme.common.config.Specifiers;
import lacme.master.config.LacmeConf;
import lacme.master.install.TestCerts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code account} and {@code revokeCert} in the master, against {@link FakeClient} spawned
 * through the real spawning code (no drop: user and group empty) with a do-nothing accountd.
 */
class AccountCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private PrintStream saved;
    private Cleanup cleanup;

    @BeforeEach
    void captureStdout() {
        saved = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(saved);
        if (cleanup != null) {
            cleanup.runAll();
        }
    }

    private Context context(String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        Files.writeString(dir.resolve("lacme.conf"), "[client]\nuser =\ngroup =\ncommand = " + java + " -cp " + cp
                + " " + FakeClient.class.getName() + " " + mode + " " + dir.resolve("frames.log")
                + "\n[accountd]\ncommand = " + argvRecorder() + "\n");
        LacmeConf conf = LacmeConf.read(dir.resolve("lacme.conf"), Path.of("/usr"), false);
        var log = LoggerFactory.getLogger("test");
        cleanup = new Cleanup(log);
        return new Context(conf, Specifiers.forCurrentProcess(), log, cleanup, false, false, null);
    }

    /** An accountd command that records its arguments (and signs nothing). */
    private Path argvRecorder() throws Exception {
        Path sh = dir.resolve("accountd.sh");
        Files.writeString(sh, "#!/bin/sh\necho \"$@\" >> " + dir.resolve("accountd-argv.log") + "\n");
        sh.toFile().setExecutable(true);
        return sh;
    }

    private List<String> accountdArgv() throws Exception {
        Path log = dir.resolve("accountd-argv.log");
        for (int i = 0; i < 100 && !Files.exists(log); i++) {
            Thread.sleep(50);
        }
        return Files.readAllLines(log);
    }

    private List<String> frames() throws Exception {
        return Files.readAllLines(dir.resolve("frames.log"));
    }

    @Test
    void accountPassesFlagsAndContactsAndPrintsTheAccountObject() throws Exception {
        int rv = new AccountCommand(context("ok")).account(true, true, false, List.of("mailto:a@example.org"));
        assertEquals(0, rv);
        assertEquals("{\"status\":\"valid\",\"contact\":[mailto:a@example.org]}\n", stdout.toString(StandardCharsets.UTF_8));
        List<String> f = frames();
        assertTrue(f.get(0).startsWith("hello "), f.toString());
        assertTrue(f.get(1).contains("register=true") && f.get(1).contains("tos_agreed=true")
                && f.get(1).contains("deactivate=false"), f.get(1));
        assertTrue(!accountdArgv().get(0).contains("--allow"), "no grant without --deactivate: " + accountdArgv());
    }

    @Test
    void refusedAccountOperationIsExitOne() throws Exception {
        assertEquals(1, new AccountCommand(context("fail")).account(false, false, true, List.of()));
        assertTrue(frames().get(1).contains("deactivate=true"), frames().toString());
        assertTrue(accountdArgv().get(0).endsWith(" --allow=deactivation"), "only --deactivate grants: " + accountdArgv());
    }

    @Test
    void revokeEveryFileAndWarnAboutRefusals() throws Exception {
        X509Certificate a = TestCerts.chain(TestCerts.key("ec"), "a.example").get(0);
        X509Certificate b = TestCerts.spec().subject("CN=b.example").build();
        Path fa = Files.writeString(dir.resolve("a.pem"), TestCerts.pem(List.of(a)));
        Path fb = Files.write(dir.resolve("b.der"), b.getEncoded());
        assertEquals(1, new AccountCommand(context("second")).revoke(List.of(fa.toString(), fb.toString())),
                "the second is refused: Warning and exit 1");
        String out = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(2, out.split("sha256 Fingerprint=", -1).length - 1, out);
        assertTrue(!out.contains("X509v3 extensions"), "revokeCert's summary has no extensions");
        List<String> f = frames();
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(a.getEncoded());
        assertTrue(f.get(1).startsWith("revoke ") && f.get(1).contains("certificate=" + encoded), f.toString());
    }

    @Test
    void anUnreadableFileStopsTheCommandAfterTheEarlierOnes() throws Exception {
        Path fa = Files.writeString(dir.resolve("a.pem"), TestCerts.pem(List.of(TestCerts.spec().build())));
        Path junk = Files.writeString(dir.resolve("junk"), "hello\n");
        Path fc = Files.writeString(dir.resolve("c.pem"), TestCerts.pem(List.of(TestCerts.spec().build())));
        Fatal e = assertThrows(Fatal.class, () -> new AccountCommand(context("ok"))
                .revoke(List.of(fa.toString(), junk.toString(), fc.toString())));
        assertEquals("Error: Couldn't read X.509 certificate " + junk + ": not a PEM or DER certificate", e.getMessage());
        assertEquals(2, frames().size(), "hello and the first revocation only: " + frames());
    }

    @Test
    void nothingToRevoke() throws Exception {
        assertEquals("Nothing to revoke", assertThrows(Fatal.class,
                () -> new AccountCommand(context("ok")).revoke(List.of())).getMessage());
    }
}
