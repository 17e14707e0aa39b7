package lacme.it.interop;

import lacme.it.interop.Interop.Daemon;
import lacme.it.interop.SigningLogs.Directory;
import lacme.it.interop.Interop.KeyType;
import lacme.it.Dist.Run;
import lacme.it.interop.Interop.Section;
import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 3, interoperability: Debian's Perl lacme 0.8.2 (its own master, client and
 * webserver) registers an account and issues a certificate from Pebble, every JWS signed
 * by <em>our</em> lacme-accountd (the distribution's bin/lacme-accountd) &mdash; as a daemon on
 * a UNIX socket and spawned in --stdio mode as the {@code command} of lacme's
 * {@code [accountd]} section &mdash; with an RSA-2048 and an EC P-256 account key (lacme's
 * client takes {@code alg} from our greeting, so ES256 works although Perl's own
 * lacme-accountd is RSA-only).
 *
 * <p>That the signatures came from our daemon is read from its logfile: our
 * {@code SIGNED url=... jwk|kid=...} lines (Perl's lacme-accountd writes
 * {@code SIGNED header=base64url(...)}) naming Pebble's newAccount and newOrder URLs, and on
 * the socket the peer credentials of each connection: the uid (root in CI) and pid of the
 * Perl master that connected (lacme connects before it forks its client).
 */
class PerlLacmeWithOurAccountdIT {
    static Pebble pebble;
    static Directory acme;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPebble() throws Exception {
        assumeTrue(Interop.perlInstalled(), "Debian's lacme and lacme-accountd 0.8.2 are not installed");
        // Perl lacme's client gives up on the first badNonce: no rejected nonces here.
        pebble = Pebble.builder().nonceReject(0).start();
        acme = Directory.of(pebble);
    }

    @AfterAll
    static void stopPebble() {
        if (pebble != null) {
            pebble.close();
        }
    }

    private Section setUp(KeyType accountKey, String domain) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Interop.genkey(dir.resolve("account.key"), accountKey);
        Interop.accountdConf(dir.resolve("lacme-accountd.conf"), dir.resolve("account.key"), dir.resolve("accountd.log"));
        Section s = Section.of(dir, "www", domain);
        Interop.genkey(s.key(), KeyType.RSA);
        return s;
    }

    /** Perl lacme with {@code [client] socket} (no [accountd] section) and our daemon on it. */
    @ParameterizedTest
    @EnumSource(KeyType.class)
    void onOurSocket(KeyType type) throws Exception {
        Section s = setUp(type, "sock-" + type.name().toLowerCase() + ".perl.example.test");
        Path sock = Interop.privateDir(dir.resolve("run")).resolve("S.lacme");
        Path log = dir.resolve("accountd.log");
        // KeyType.P256 also covers the --socket= option (which wins over an [accountd] section).
        boolean option = type == KeyType.P256;
        Path conf = Interop.perlLacmeConf(dir, pebble, option ? null : sock.toString(),
                option ? List.of("command = /bin/false") : null, s);
        List<String> opts = option ? List.of("--config=" + conf, "--socket=" + sock) : List.of("--config=" + conf);
        try (Daemon d = Daemon.start(sock, List.of(Interop.ourAccountd().toString(),
                "--config=" + dir.resolve("lacme-accountd.conf"), "--socket=" + sock))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            Run[] runs = Interop.registerAndIssue(dir, Interop.perlLacme(), opts, s);
            Issued.check(s, pebble);
            SigningLogs.checkOurs(log, acme);
            for (Run r : runs) {
                List<String> accepted = Interop.lines(log,
                        "Accepted new connection from " + Interop.uidGid() + " pid=" + r.pid());
                assertEquals(1, accepted.size(),
                        "one connection from the Perl master (pid " + r.pid() + "):\n" + Interop.read(log));
            }
            d.stopAndCheckSocketGone();
            assertEquals(0, d.process.exitValue(), d.output());
        }
    }

    /** Perl lacme spawning our accountd as {@code [accountd] command} (lacme adds --stdio). */
    @ParameterizedTest
    @EnumSource(KeyType.class)
    void asAccountdCommand(KeyType type) throws Exception {
        Section s = setUp(type, "stdio-" + type.name().toLowerCase() + ".perl.example.test");
        Path conf = Interop.perlLacmeConf(dir, pebble, null, List.of(
                "command = " + Interop.ourAccountd(),
                "config = " + dir.resolve("lacme-accountd.conf")), s);
        Interop.registerAndIssue(dir, Interop.perlLacme(), List.of("--config=" + conf), s);
        Issued.check(s, pebble);
        SigningLogs.checkOurs(dir.resolve("accountd.log"), acme);
        assertTrue(Interop.lines(dir.resolve("accountd.log"), "Accepted new connection").isEmpty(),
                "no socket involved");
    }

    /**
     * Our greeting with {@code keyid} set ({@code kid} in the JSON, {@code {}} as the JWK
     * line): Perl lacme takes the kid from it and orders without an account lookup.
     */
    @Test
    void keyidGreeting() throws Exception {
        Section s = setUp(KeyType.P256, "keyid.perl.example.test");
        Path log = dir.resolve("accountd.log");
        Path conf = Interop.perlLacmeConf(dir, pebble, null, List.of(
                "command = " + Interop.ourAccountd(),
                "config = " + dir.resolve("lacme-accountd.conf")), s);
        List<String> lacme = Interop.perlLacme();
        Interop.registerAndIssue(dir, lacme, List.of("--config=" + conf), s);
        String kid = SigningLogs.kidFromOurs(log, acme);
        String run = Interop.reissueWithKeyid(dir, lacme, List.of("--config=" + conf), s,
                dir.resolve("lacme-accountd.conf"), kid, log);
        Issued.check(s, pebble);
        assertTrue(run.contains("SIGNED url=" + acme.newOrder() + " kid=" + kid + " "), run);
        assertFalse(run.contains(" jwk "), "nothing signed with a JWK once the greeting has the kid: " + run);
        assertFalse(run.contains("NOSIGN"), run);
    }

    /**
     * The set-up is honest: without the CA wrapper (see {@link Interop#perlLacmeConf}) the
     * Perl client refuses Pebble's certificate, so the runs above verified it.
     */
    @Test
    void perlClientVerifiesTheServer() throws Exception {
        Section s = setUp(KeyType.RSA, "verify.perl.example.test");
        Path conf = Interop.perlLacmeConf(dir, pebble, null, List.of(
                "command = " + Interop.ourAccountd(),
                "config = " + dir.resolve("lacme-accountd.conf")), s);
        Files.writeString(conf, Files.readString(conf).replace("command = " + dir.resolve("perl-client"),
                "command = /usr/libexec/lacme/client"));
        Run r = Interop.run(dir, List.of(Interop.PERL_LACME.toString(), "--config=" + conf, "account", "--register",
                "--tos-agreed"), 120);
        assertTrue(r.exit() != 0 && r.stderr().contains("certificate verify failed"), r.toString());
    }
}
