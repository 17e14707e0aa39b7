package lacme.it.interop;

import lacme.it.interop.Interop.Daemon;
import lacme.it.interop.SigningLogs.Directory;
import lacme.it.interop.Interop.KeyType;
import lacme.it.interop.Interop.Section;
import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 3, interoperability the other way round: <em>our</em> lacme (the distribution's
 * sbin/lacme with our client and webserver) registers and issues a certificate from Pebble
 * with every JWS signed by Debian's Perl lacme-accountd 0.8.2 &mdash; a daemon on a UNIX
 * socket, and spawned by our master as {@code [accountd] command} (our master appends
 * --stdio, --config= and --quiet exactly as lacme's does). Perl's lacme-accountd is
 * RSA-only, so the account key is RSA-2048.
 *
 * <p>That the Perl daemon signed is read from its logfile, whose lines only it writes in
 * that form: {@code SIGNED header=base64url({...}) playload=...} with the protected header
 * our client built (newAccount with a {@code jwk}, newOrder with a {@code kid}).
 */
class OurLacmeWithPerlAccountdIT {
    static Pebble pebble;
    static Directory acme;

    @TempDir
    Path dir;
    Section section;
    Path log;

    @BeforeAll
    static void startPebble() throws Exception {
        assumeTrue(Interop.perlInstalled(), "Debian's lacme-accountd 0.8.2 is not installed");
        pebble = Pebble.start(); // our client retries badNonce: Pebble's default 5 % rejection stays
        acme = Directory.of(pebble);
    }

    @AfterAll
    static void stopPebble() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @BeforeEach
    void keys() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Interop.genkey(dir.resolve("account.key"), KeyType.RSA);
        log = dir.resolve("perl-accountd.log");
        Interop.accountdConf(dir.resolve("lacme-accountd.conf"), dir.resolve("account.key"), log);
        section = Section.of(dir, "svc", "svc.ours-with-perl.example.test");
        Interop.genkey(section.key(), KeyType.P256);
    }

    @Test
    void onPerlSocket() throws Exception {
        Path sock = Interop.privateDir(dir.resolve("run")).resolve("S.lacme");
        Path conf = Interop.ourLacmeConf(dir, pebble, sock.toString(), null, section);
        try (Daemon d = Daemon.start(sock, List.of(Interop.PERL_ACCOUNTD.toString(),
                "--config=" + dir.resolve("lacme-accountd.conf"), "--socket=" + sock))) {
            Interop.registerAndIssue(dir, List.of(Interop.ourLacme().toString()), List.of("--config=" + conf), section);
            Issued.check(section, pebble);
            SigningLogs.checkPerl(log, acme);
            assertEquals(2, Interop.lines(log, "] Accepted new connection").size(),
                    "one connection per lacme run:\n" + Interop.read(log));
            d.stopAndCheckSocketGone();
        }
    }

    @Test
    void asAccountdCommand() throws Exception {
        Path conf = Interop.ourLacmeConf(dir, pebble, null, List.of(
                "command = " + Interop.PERL_ACCOUNTD,
                "config = " + dir.resolve("lacme-accountd.conf")), section);
        Interop.registerAndIssue(dir, List.of(Interop.ourLacme().toString()), List.of("--config=" + conf), section);
        Issued.check(section, pebble);
        SigningLogs.checkPerl(log, acme);
        assertTrue(Interop.lines(log, "Accepted new connection").isEmpty(), "no socket involved");
    }

    /**
     * Perl's greeting with {@code keyid} set ({@code kid}, JWK line {@code {}}): our client
     * signs with that kid and never looks its account up.
     */
    @Test
    void keyidGreeting() throws Exception {
        Path conf = Interop.ourLacmeConf(dir, pebble, null, List.of(
                "command = " + Interop.PERL_ACCOUNTD,
                "config = " + dir.resolve("lacme-accountd.conf")), section);
        List<String> lacme = List.of(Interop.ourLacme().toString());
        Interop.registerAndIssue(dir, lacme, List.of("--config=" + conf), section);
        String kid = SigningLogs.kidFromPerl(log, acme);
        String run = Interop.reissueWithKeyid(dir, lacme, List.of("--config=" + conf), section,
                dir.resolve("lacme-accountd.conf"), kid, log);
        Issued.check(section, pebble);
        assertTrue(run.contains("] SIGNED header="), run);
        assertTrue(!run.contains("\"jwk\":"), "nothing signed with a JWK once the greeting has the kid: " + run);
        assertTrue(!run.contains(acme.newAccount()) && !run.contains(acme.newAccount().replace("/", "\\/")),
                "no account lookup: " + run);
        assertTrue(!run.contains("NOSIGN"), run);
    }
}
