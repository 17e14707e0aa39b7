package lacme.it;

import lacme.common.config.Passwd;
import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two ways to reach lacme-accountd, end to end against Pebble: connecting to a running
 * daemon's socket (after lacme's permission checks, each refusal shown), and spawning it
 * through {@code [accountd]} as its own user, with the command's %-specifiers expanded for
 * that user — the way {@code ssh -T %u@keyhost lacme-accountd} is configured.
 */
class AccountdIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        pebble = Pebble.start();
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    static Dist.Run lacme(Path conf, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Dist.lacme().toString(), "--config=" + conf));
        argv.addAll(List.of(args));
        Dist.Run r = Dist.run(tmp, argv, 120);
        assertTrue(!r.stderr().contains("\tat "), r.toString());
        return r;
    }

    @Test
    void connectsToARunningAccountdAfterCheckingPermissions() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("socket-mode"));
        Tree.Settings s = Tree.Settings.of(pebble);
        s.accountd = null;
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        Path sock = run.resolve("S.lacme");
        s.client.put("socket", sock.toString());
        s.sections = List.of("ec");
        Path conf = Tree.write(dir, s);
        Process accountd = new ProcessBuilder(Dist.accountd().toString(), "--socket=" + sock,
                "--config=" + dir.resolve("lacme-accountd.conf")).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            for (int i = 0; i < 300 && !Files.exists(sock); i++) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(sock), "accountd socket");
            // the daemon's JNI libraries (junixsocket's, ACCP's) are the distribution's own
            // files, never copies in a temporary directory (run-java, issue 12)
            Path lib = Dist.root().resolve("share/lacme/java/accountd-native").toRealPath();
            List<String> natives = Files.readAllLines(Path.of("/proc/" + accountd.pid() + "/maps")).stream()
                    .filter(l -> l.contains("junixsocket") || l.contains("CorrettoCrypto"))
                    .map(l -> l.substring(l.indexOf('/'))).distinct().toList();
            // (ACCP's only where the tree is root's: under /tmp accountd rightly refuses it)
            assertTrue(natives.stream().anyMatch(l -> l.contains("junixsocket")), natives.toString());
            assertTrue(natives.stream().allMatch(l -> l.startsWith(lib + "/")), natives.toString());
            Dist.Run reg = lacme(conf, "account", "--register", "--tos-agreed");
            assertEquals(0, reg.exit(), reg.toString());
            Dist.Run order = lacme(conf, "newOrder");
            assertEquals(0, order.exit(), order.toString());
            assertTrue(Files.size(dir.resolve("ec.crt")) > 0);

            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(sock));
            for (String bad : List.of("rw-rw----", "rw----rw-")) {
                Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString(bad));
                Dist.Run r = lacme(conf, "account");
                assertEquals(1, r.exit(), r.toString());
                assertTrue(r.stderr().contains("Insecure permissions on " + sock), bad + ": " + r);
            }
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString(mode));
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwx---"));
            Dist.Run r = lacme(conf, "account");
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.stderr().contains("Insecure permissions on " + run), r.toString());
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
            assertEquals(0, lacme(conf, "account").exit(), "permissions restored: accepted again");
        } finally {
            accountd.destroy();
            if (!accountd.waitFor(10, TimeUnit.SECONDS)) {
                accountd.destroyForcibly();
            }
        }
        Dist.Run gone = lacme(tmp.resolve("socket-mode/lacme.conf"), "account");
        assertEquals(1, gone.exit(), gone.toString());
        assertTrue(gone.stderr().contains("(Is lacme-accountd running?)"), gone.toString());
    }

    @Test
    void spawnsAccountdAsItsOwnUserWithTheCommandExpandedForThatUser() throws Exception {
        Assumptions.assumeTrue(Dist.isRoot(), "needs root to change user");
        Path dir = Files.createDirectory(tmp.resolve("spawn-mode"));
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = List.of("ec");
        Path conf0 = Tree.write(dir, s); // makes account.key
        // only the accountd user can read the account key
        Path keys = Files.createDirectory(dir.resolve("accountd-home"));
        Passwd.User www = Passwd.user("_lacme-www").orElseThrow();
        Files.move(dir.resolve("account.key"), keys.resolve("account.key"));
        Files.writeString(keys.resolve("lacme-accountd.conf"), "privkey = file:" + keys.resolve("account.key") + "\n");
        for (Path p : List.of(keys, keys.resolve("account.key"), keys.resolve("lacme-accountd.conf"))) {
            Files.setAttribute(p, "unix:uid", (int) www.uid());
        }
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(keys.resolve("account.key"), PosixFilePermissions.fromString("rw-------"));
        Path wrapper = dir.resolve("accountd-wrapper");
        Files.writeString(wrapper, "#!/bin/sh\necho \"lacme-it: accountd uid $(id -u) args $1 $2 $3\" >&2\nshift 3\nexec "
                + Dist.accountd() + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        s.accountd.put("user", "_lacme-www");
        s.accountd.put("group", "nogroup");
        s.accountd.put("command", wrapper + " %u %U %h");
        s.accountd.put("config", keys.resolve("lacme-accountd.conf").toString());
        Path conf = Tree.write(dir, s);
        assertEquals(conf0, conf);
        Dist.Run reg = lacme(conf, "account", "--register", "--tos-agreed");
        assertEquals(0, reg.exit(), reg.toString());
        assertTrue(reg.stderr().contains("lacme-it: accountd uid " + www.uid() + " args _lacme-www " + www.uid()
                + " " + www.home()), "%u %U %h are the accountd user's: " + reg);
        Dist.Run order = lacme(conf, "newOrder");
        assertEquals(0, order.exit(), order.toString());
        assertTrue(Files.size(dir.resolve("ec.crt")) > 0);
    }

    @Test
    void anAccountdThatDiesFailsTheRunPromptly() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dying"));
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = List.of("ec");
        s.accountd.put("command", "/bin/false");
        Path conf = Tree.write(dir, s);
        long t0 = System.nanoTime();
        Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "account"), 30);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "no wait for a dead accountd");
        assertTrue(!r.stderr().contains("\tat "), r.toString());
    }

    /**
     * Deactivation needs a grant (docs/security.md): a running daemon with the default policy
     * refuses it, and lacme's error names what was refused; the accountd lacme spawns for
     * {@code lacme account --deactivate} is granted it, and the account is deactivated.
     */
    @Test
    void onlyTheDeactivateCommandGrantsADeactivation() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("deactivate"));
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = List.of("ec");
        Path conf = Tree.write(dir, s);
        Dist.register(tmp, conf);

        Path other = Files.createDirectory(tmp.resolve("deactivate-socket"));
        Path run = Files.createDirectory(other.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        Path sock = run.resolve("S.lacme");
        Tree.Settings so = Tree.Settings.of(pebble);
        so.accountd = null;
        so.client.put("socket", sock.toString());
        so.sections = List.of("ec");
        Path sockConf = Tree.write(other, so);
        Path daemonLog = other.resolve("daemon.log");
        Process accountd = new ProcessBuilder(Dist.accountd().toString(), "--socket=" + sock,
                "--config=" + dir.resolve("lacme-accountd.conf")).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(daemonLog.toFile()).start();
        try {
            for (int i = 0; i < 300 && !Files.exists(sock); i++) {
                Thread.sleep(50);
            }
            Dist.Run refused = lacme(sockConf, "account", "--deactivate");
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.stderr().contains("lacme-accountd did not sign a deactivation"), refused.toString());
            assertTrue(Files.readString(daemonLog).contains("NOSIGN [deactivation not allowed"), Files.readString(daemonLog));
            assertEquals(0, lacme(sockConf, "account").exit(), "the account is still valid");
        } finally {
            accountd.destroy();
            if (!accountd.waitFor(10, TimeUnit.SECONDS)) {
                accountd.destroyForcibly();
            }
        }
        Dist.Run granted = lacme(conf, "account", "--deactivate");
        assertEquals(0, granted.exit(), granted.toString());
        assertTrue(granted.stdout().contains("deactivated"), granted.toString());
        assertEquals(1, lacme(conf, "account").exit(), "the account is gone");
    }
}
