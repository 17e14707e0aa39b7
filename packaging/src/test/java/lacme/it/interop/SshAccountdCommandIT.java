package lacme.it.interop;

import lacme.it.interop.SigningLogs.Directory;
import lacme.it.interop.Interop.KeyType;
import lacme.it.interop.Interop.Section;
import lacme.common.config.Passwd;
import lacme.testkit.Pebble;
import lacme.testkit.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 3, the key-host set-ups of lacme-accountd(1), through a real OpenSSH server on
 * loopback ({@link Sshd}: its own configuration, host key and port, a throwaway key-host user
 * owning the account key, root's throwaway key authorised for it), both ways lacme documents:
 * <ul>
 * <li>{@code [accountd] command = ssh -T user@keyhost lacme-accountd}: sshd runs the words
 * after the host name, plus what the master appends, through the user's shell; the user's
 * {@code lacme-accountd} (first on its PATH) reads its own default configuration,
 * {@code ~/.config/lacme/lacme-accountd.conf} (the %E rule for non-root), with the account
 * key only that user can read. Both masters must append exactly {@code --stdio --quiet} (no
 * --config= since {@code [accountd] config} is empty, which is how a key host is set up).
 * Cases: Perl lacme to our accountd (EC P-256 account key), our lacme to our accountd, our
 * lacme to Perl's lacme-accountd (RSA).</li>
 * <li>accountd's socket forwarded with {@code ssh -R}: the key-host user's accountd listens on
 * its own socket; {@code ssh -N -R remote:local} makes sshd (as that user) listen on a path
 * that {@code lacme --socket=} then uses.</li>
 * </ul>
 */
class SshAccountdCommandIT {
    static Pebble pebble;
    static Directory acme;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPebble() throws Exception {
        assumeTrue(Interop.perlInstalled(), "Debian's lacme and lacme-accountd 0.8.2 are not installed");
        assumeTrue(Interop.isRoot(), "sshd and the key-host user need root");
        pebble = Pebble.builder().nonceReject(0).start(); // Perl lacme's client gives up on badNonce
        acme = Directory.of(pebble);
    }

    @AfterAll
    static void stopPebble() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void perlLacmeToOurAccountd() throws Exception {
        throughSshStdio(true, KeyType.P256, Interop.ourAccountd(), "ssh-perl-ours.example.test");
    }

    @Test
    void ourLacmeToOurAccountd() throws Exception {
        throughSshStdio(false, KeyType.RSA, Interop.ourAccountd(), "ssh-ours-ours.example.test");
    }

    @Test
    void ourLacmeToPerlAccountd() throws Exception {
        throughSshStdio(false, KeyType.RSA, Interop.PERL_ACCOUNTD, "ssh-ours-perl.example.test");
    }

    /** Registers and issues with {@code [accountd] command = ssh ... lacme-accountd}; checks who signed, how. */
    private void throughSshStdio(boolean perlLacme, KeyType type, Path accountd, String domain) throws Exception {
        try (Sshd sshd = Sshd.start()) {
            Path home = keyhost(sshd, type, accountd);
            Section s = section(domain);
            Path conf = perlLacme ? Interop.perlLacmeConf(dir, pebble, null, accountdSection(sshd), s)
                    : Interop.ourLacmeConf(dir, pebble, null, accountdSection(sshd), s);
            Interop.registerAndIssue(dir, perlLacme ? Interop.perlLacme() : List.of(Interop.ourLacme().toString()),
                    List.of("--config=" + conf), s);
            Issued.check(s, pebble);
            if (accountd.equals(Interop.PERL_ACCOUNTD)) {
                SigningLogs.checkPerl(home.resolve("accountd.log"), acme);
            } else {
                SigningLogs.checkOurs(home.resolve("accountd.log"), acme);
            }
            checkStdio(sshd, home);
        }
    }

    @Test
    void ourLacmeThroughSocketForwardedBySshR() throws Exception {
        try (Sshd sshd = Sshd.start()) {
            Path home = keyhost(sshd, KeyType.P256, Interop.ourAccountd());
            Passwd.User u = sshd.user();
            Path local = home.resolve("run/S.lacme");
            Path remote = home.resolve("forwarded/S.lacme");
            asKeyhost(sshd, "mkdir -m 0700 run forwarded");
            // The key host's user runs its accountd on its own socket, as lacme-accountd(1) shows.
            try (Interop.Daemon accountd = Interop.Daemon.start(local, List.of("setpriv", "--reuid=" + u.uid(),
                    "--regid=" + u.gid(), "--clear-groups", "--no-new-privs", "--", "env", "-i", "HOME=" + home,
                    "PATH=" + home.resolve("bin") + ":/usr/bin:/bin", home.resolve("bin/lacme-accountd").toString(),
                    "--socket=" + local))) {
                Process ssh = new ProcessBuilder("ssh", "-F", sshd.sshConfig().toString(), "-N", "-T",
                        "-o", "ExitOnForwardFailure=yes", "-R", remote + ":" + local, u.name() + "@" + Sshd.HOST)
                        .redirectErrorStream(true).redirectOutput(dir.resolve("ssh-R.log").toFile()).start();
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!Files.exists(remote, LinkOption.NOFOLLOW_LINKS)) {
                        assertTrue(ssh.isAlive() && System.nanoTime() < deadline, "ssh -R did not create " + remote
                                + ": " + Interop.read(dir.resolve("ssh-R.log")) + sshd.log());
                        Thread.sleep(50);
                    }
                    // sshd's listener, as the key-host user: not accountd's own socket.
                    assertEquals(u.uid(), ((Number) Files.getAttribute(remote, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue());
                    Section s = section("ssh-r-ours.example.test");
                    Path conf = Interop.ourLacmeConf(dir, pebble, null, null, s);
                    Interop.registerAndIssue(dir, List.of(Interop.ourLacme().toString()),
                            List.of("--config=" + conf, "--socket=" + remote), s);
                    Issued.check(s, pebble);
                } finally {
                    ssh.destroy();
                    ssh.waitFor(10, TimeUnit.SECONDS);
                }
                SigningLogs.checkOurs(home.resolve("accountd.log"), acme);
                assertEquals(List.of("--socket=" + local + "|"), Files.readAllLines(home.resolve("accountd.args")),
                        "one accountd, on its socket; lacme spawned none");
                assertEquals(u.uid(), ((Number) Files.getAttribute(home.resolve("accountd.log"), "unix:uid")).longValue());
                String log = sshd.log();
                assertTrue(log.contains("Accepted publickey for " + u.name()), log);
            }
        }
    }

    private Section section(String domain) throws Exception {
        Section s = Section.of(dir, "www", domain);
        Interop.genkey(s.key(), KeyType.RSA);
        return s;
    }

    /** {@code [accountd]}: the ssh command line only, as on a host whose key lives elsewhere. */
    private static List<String> accountdSection(Sshd sshd) {
        return List.of("command = ssh -F " + sshd.sshConfig() + " -T " + sshd.user().name() + "@" + Sshd.HOST
                + " lacme-accountd");
    }

    /**
     * The key host's files, in the user's home (0700): the account key, lacme-accountd.conf
     * at the default location, and ~/bin/lacme-accountd, which records its arguments and runs
     * the implementation under test.
     */
    private Path keyhost(Sshd sshd, KeyType type, Path accountd) throws Exception {
        // lacme's unprivileged children read files here (Pebble's CA, Perl's client wrapper).
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = sshd.home();
        Path bin = Files.createDirectory(home.resolve("bin"));
        Files.writeString(bin.resolve("lacme-accountd"), String.join("\n", "#!/bin/sh",
                "printf '%s|' \"$@\" >>\"$HOME/accountd.args\"", "echo >>\"$HOME/accountd.args\"",
                "exec " + accountd + " \"$@\"", ""), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(bin.resolve("lacme-accountd"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path key = Interop.genkey(home.resolve("account.key"), type);
        Path confDir = Files.createDirectories(home.resolve(".config/lacme"));
        Interop.accountdConf(confDir.resolve("lacme-accountd.conf"), key, home.resolve("accountd.log"));
        Passwd.User u = sshd.user();
        Interop.runOk(dir, List.of("chown", "-R", u.uid() + ":" + u.gid(), home.toString()), 30);
        return home;
    }

    /** Runs a shell command as the key-host user in its home (through sshd, checking the set-up). */
    private void asKeyhost(Sshd sshd, String command) throws Exception {
        Interop.runOk(dir, List.of("ssh", "-F", sshd.sshConfig().toString(), "-T", sshd.user().name() + "@" + Sshd.HOST,
                command), 30);
    }

    /** Both runs went through sshd with lacme's arguments, and accountd ran as the key host's user. */
    private void checkStdio(Sshd sshd, Path home) throws Exception {
        List<String> calls = Files.readAllLines(home.resolve("accountd.args"));
        assertEquals(List.of("--stdio|--quiet|", "--stdio|--quiet|"), calls,
                "register and newOrder each ran the [accountd] command with --stdio --quiet appended");
        Path log = home.resolve("accountd.log");
        assertTrue(Files.exists(log), "the key host's accountd wrote its log");
        assertEquals(sshd.user().uid(), ((Number) Files.getAttribute(log, "unix:uid")).longValue(),
                "accountd ran as the key-host user (it created its logfile)");
        assertFalse(Interop.read(log).contains("Accepted new connection"), "no socket involved");
        String sshdLog = sshd.log();
        assertEquals(2, sshdLog.split("Accepted publickey for " + sshd.user().name() + " ", -1).length - 1,
                "two ssh logins, register and newOrder: " + sshdLog);
    }
}
