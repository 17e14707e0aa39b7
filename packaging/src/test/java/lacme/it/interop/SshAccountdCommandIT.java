package lacme.it.interop;

import lacme.it.interop.SigningLogs.Directory;
import lacme.it.interop.Interop.KeyType;
import lacme.it.interop.Interop.Section;
import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 3, the key-host set-up of lacme-accountd(1) without a network:
 * {@code [accountd] command = ssh -T keyhost lacme-accountd}, where {@code ssh} is a
 * stand-in script ({@code fake-ssh}) doing what ssh and sshd do with that command line: the
 * words after the host name, plus whatever the master appends, are joined with spaces and
 * run by the key-host account's shell ({@code sh -c}) with a fresh login environment &mdash;
 * here as the unprivileged user {@code nobody} (setpriv), whose {@code lacme-accountd} on
 * PATH reads its own default configuration, {@code $XDG_CONFIG_HOME/lacme/lacme-accountd.conf}
 * (the %E rule for non-root), with the account key only that user can read.
 *
 * <p>The stand-in records the arguments it was given: both masters must append exactly
 * {@code --stdio --quiet} (no --config= since {@code [accountd] config} is empty, which is how
 * a key host is set up), so either master drives either accountd over ssh.
 * Cases: Perl lacme to our accountd (EC P-256 account key), our lacme to our accountd, our
 * lacme to Perl's lacme-accountd (RSA).
 */
class SshAccountdCommandIT {
    private static final String KEYHOST_USER = "nobody";
    private static final int KEYHOST_UID = 65534;

    static Pebble pebble;
    static Directory acme;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPebble() throws Exception {
        assumeTrue(Interop.perlInstalled(), "Debian's lacme and lacme-accountd 0.8.2 are not installed");
        assumeTrue(Interop.isRoot(), "the key-host account is another user (setpriv)");
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
        Path keyhost = keyhost(KeyType.P256, Interop.ourAccountd());
        Section s = section("ssh-perl-ours.example.test");
        Path conf = Interop.perlLacmeConf(dir, pebble, null, accountdSection(), s);
        Interop.registerAndIssue(dir, Interop.perlLacme(), List.of("--config=" + conf), s);
        Issued.check(s, pebble);
        SigningLogs.checkOurs(keyhost.resolve("accountd.log"), acme);
        checkKeyhost(keyhost);
    }

    @Test
    void ourLacmeToOurAccountd() throws Exception {
        Path keyhost = keyhost(KeyType.RSA, Interop.ourAccountd());
        Section s = section("ssh-ours-ours.example.test");
        Path conf = Interop.ourLacmeConf(dir, pebble, null, accountdSection(), s);
        Interop.registerAndIssue(dir, List.of(Interop.ourLacme().toString()), List.of("--config=" + conf), s);
        Issued.check(s, pebble);
        SigningLogs.checkOurs(keyhost.resolve("accountd.log"), acme);
        checkKeyhost(keyhost);
    }

    @Test
    void ourLacmeToPerlAccountd() throws Exception {
        Path keyhost = keyhost(KeyType.RSA, Interop.PERL_ACCOUNTD);
        Section s = section("ssh-ours-perl.example.test");
        Path conf = Interop.ourLacmeConf(dir, pebble, null, accountdSection(), s);
        Interop.registerAndIssue(dir, List.of(Interop.ourLacme().toString()), List.of("--config=" + conf), s);
        Issued.check(s, pebble);
        SigningLogs.checkPerl(keyhost.resolve("accountd.log"), acme);
        checkKeyhost(keyhost);
    }

    private Section section(String domain) throws Exception {
        Section s = Section.of(dir, "www", domain);
        Interop.genkey(s.key(), KeyType.RSA);
        return s;
    }

    /** {@code [accountd]}: the ssh command line only, as on a host whose key lives elsewhere. */
    private List<String> accountdSection() {
        return List.of("command = " + dir.resolve("fake-ssh") + " -T keyhost lacme-accountd");
    }

    /**
     * The key host: a home directory owned by {@code nobody} (0700) with the account key,
     * lacme-accountd.conf at the default location, and a bin directory whose
     * {@code lacme-accountd} runs the implementation under test; and the fake-ssh script.
     */
    private Path keyhost(KeyType type, Path accountd) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectory(dir.resolve("keyhost"));
        Path bin = Files.createDirectory(home.resolve("bin"));
        Files.writeString(bin.resolve("lacme-accountd"), "#!/bin/sh\nexec " + accountd + " \"$@\"\n",
                StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(bin.resolve("lacme-accountd"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path key = Interop.genkey(home.resolve("account.key"), type);
        Path confDir = Files.createDirectories(home.resolve(".config/lacme"));
        Interop.accountdConf(confDir.resolve("lacme-accountd.conf"), key, home.resolve("accountd.log"));
        Interop.runOk(dir, List.of("chown", "-R", KEYHOST_USER + ":", home.toString()), 30);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));

        Path ssh = dir.resolve("fake-ssh");
        Files.writeString(ssh, String.join("\n",
                "#!/bin/sh",
                "# Stands in for ssh(1) as lacme's [accountd] command: records its arguments, then runs",
                "# the remote command words the way sshd does (joined with spaces, by the account's",
                "# shell, in a clean login environment) as the key-host account.",
                "set -eu",
                "printf '%s|' \"$@\" >> " + dir.resolve("fake-ssh.args"),
                "echo >> " + dir.resolve("fake-ssh.args"),
                "[ \"$1\" = -T ] || { echo 'fake-ssh: -T expected' >&2; exit 255; }",
                "[ \"$2\" = keyhost ] || { echo \"fake-ssh: unknown host $2\" >&2; exit 255; }",
                "shift 2",
                "exec setpriv --reuid=" + KEYHOST_USER + " --regid=" + KEYHOST_UID + " --clear-groups --no-new-privs"
                        + " -- env -i HOME=" + home + " USER=" + KEYHOST_USER + " LOGNAME=" + KEYHOST_USER
                        + " SHELL=/bin/sh PATH=" + bin + ":/usr/bin:/bin XDG_CONFIG_HOME=" + home.resolve(".config")
                        + " /bin/sh -c \"cd; $*\"",
                ""), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    /** Both runs went through fake-ssh with lacme's arguments, and accountd ran as the key host's user. */
    private void checkKeyhost(Path home) throws Exception {
        List<String> calls = Files.readAllLines(dir.resolve("fake-ssh.args"));
        assertEquals(List.of("-T|keyhost|lacme-accountd|--stdio|--quiet|", "-T|keyhost|lacme-accountd|--stdio|--quiet|"),
                calls, "register and newOrder each ran the [accountd] command with --stdio --quiet appended");
        Path log = home.resolve("accountd.log");
        assertTrue(Files.exists(log), "the key host's accountd wrote its log");
        assertEquals(KEYHOST_UID, ((Number) Files.getAttribute(log, "unix:uid")).intValue(),
                "accountd ran as the key-host user (it created its logfile)");
        assertFalse(Interop.read(log).contains("Accepted new connection"), "no socket involved");
    }
}
