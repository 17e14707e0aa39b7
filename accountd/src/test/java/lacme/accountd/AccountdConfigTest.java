package lacme.accountd;

import lacme.common.config.Specifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import lacme.common.cli.LongOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command line and lacme-accountd.conf, merged as lacme-accountd 0.8.2 does. */
class AccountdConfigTest {
    @TempDir
    Path dir;

    private final AccountLog log = new AccountLog(false);

    /** A non-root user whose %E is {@code dir}, so the default config path is under it. */
    private Specifiers user() {
        return Specifiers.of(Map.of("XDG_CONFIG_HOME", dir.toString(), "XDG_RUNTIME_DIR", "/run/user/1000"),
                1000, 1000, "alice", "alice", "/home/alice");
    }

    private static AccountdOptions opts(String... args) {
        AccountdOptions o = new AccountdOptions();
        AccountdOptions.parse(o, args);
        return o;
    }

    @Test
    void missingDefaultConfigIsEmpty() throws Exception {
        AccountdConfig.Settings s = AccountdConfig.load(opts("--privkey=file:%h/k.pem"), user(), log);
        assertEquals("file:%h/k.pem", s.privkey());
        assertEquals("%t/S.lacme", s.socket());
        assertEquals("gpg --quiet", s.gpg());
        assertNull(s.keyid());
        assertFalse(s.quiet());
        assertFalse(s.stdio());
    }

    @Test
    void defaultConfigIsRead() throws Exception {
        Files.createDirectories(dir.resolve("lacme"));
        Files.writeString(dir.resolve("lacme/lacme-accountd.conf"),
                "; comment\n# other comment\nprivkey = gpg:%h/k.gpg\ngpg = gpg2 --quiet\nsocket = %t/S.other\n"
                        + "keyid = https://ca/acct/1\nquiet = YES\n");
        AccountdConfig.Settings s = AccountdConfig.load(opts(), user(), log);
        assertEquals("gpg:%h/k.gpg", s.privkey());
        assertEquals("gpg2 --quiet", s.gpg());
        assertEquals("%t/S.other", s.socket());
        assertEquals("https://ca/acct/1", s.keyid());
        assertTrue(s.quiet());
    }

    @Test
    void commandLineWins() throws Exception {
        Path conf = Files.writeString(dir.resolve("a.conf"), "privkey = file:/a\nsocket = /b\nquiet = No\n");
        AccountdConfig.Settings s = AccountdConfig.load(
                opts("--config", conf.toString(), "--privkey=file:/c", "--socket=/d", "-q", "--stdio"), user(), log);
        assertEquals("file:/c", s.privkey());
        assertEquals("/d", s.socket());
        assertTrue(s.quiet());
        assertTrue(s.stdio());
        AccountdConfig.Settings s2 = AccountdConfig.load(opts("--config=" + conf), user(), log);
        assertEquals("file:/a", s2.privkey());
        assertFalse(s2.quiet());
    }

    @Test
    void errors() throws Exception {
        Path missing = dir.resolve("missing.conf");
        assertEquals("Can't open " + missing + ": No such file or directory", assertThrows(AccountdException.class,
                () -> AccountdConfig.load(opts("--config=" + missing, "--privkey=file:/k"), user(), log)).getMessage());
        assertEquals("'privkey' is not specified", assertThrows(AccountdException.class,
                () -> AccountdConfig.load(opts(), user(), log)).getMessage());
        Path unknown = Files.writeString(dir.resolve("u.conf"), "privkey = file:/k\nsokcet = /x\nverbose = 1\n");
        assertEquals("Unknown option(s): sokcet, verbose", assertThrows(AccountdException.class,
                () -> AccountdConfig.load(opts("--config=" + unknown), user(), log)).getMessage());
        Path section = Files.writeString(dir.resolve("s.conf"), "privkey = file:/k\n[accountd]\nquiet = Yes\n[x]\n");
        assertEquals("Invalid section(s): accountd, x", assertThrows(AccountdException.class,
                () -> AccountdConfig.load(opts("--config=" + section), user(), log)).getMessage());
        Path syntax = Files.writeString(dir.resolve("y.conf"), "privkey\n");
        assertTrue(assertThrows(AccountdException.class,
                () -> AccountdConfig.load(opts("--config=" + syntax), user(), log)).getMessage().contains("y.conf"));
        // %t without XDG_RUNTIME_DIR for a non-root user
        Specifiers noRuntime = Specifiers.of(Map.of(), 1000, 1000, "alice", "alice", "/home/alice");
        assertEquals("Undefined expansion %t in \"%t/x.conf\"", assertThrows(AccountdException.class,
                () -> AccountdConfig.load(opts("--config=%t/x.conf"), noRuntime, log)).getMessage());
    }

    @Test
    void logfileIsOpenedBeforeValidation() throws Exception {
        Path logfile = dir.resolve("accountd.log");
        Path conf = Files.writeString(dir.resolve("l.conf"), "logfile = " + dir + "/%u.log\nbogus = 1\n");
        AccountLog l = new AccountLog(false);
        AccountdException e = assertThrows(AccountdException.class,
                () -> AccountdConfig.load(opts("--config=" + conf), user(), l));
        l.error(e.getMessage());
        assertTrue(Files.readString(dir.resolve("alice.log")).endsWith("] Error: Unknown option(s): bogus\n"));
        assertFalse(Files.exists(logfile));
    }

    @Test
    void commandLineSyntax() {
        AccountdOptions o = opts("--config", "/a", "--config=/b", "-q", "--debug");
        assertEquals("/b", o.config, "last one wins, as Getopt::Long");
        assertTrue(o.quiet);
        assertTrue(o.debug);
        assertThrows(LongOptions.UsageException.class, () -> opts("--conf=/a"), "no abbreviations");
        assertThrows(LongOptions.UsageException.class, () -> opts("--bogus"));
        assertThrows(LongOptions.UsageException.class, () -> opts("extra"));
        assertThrows(LongOptions.UsageException.class, () -> opts("--privkey"));
        assertTrue(opts("-qh").help);
    }

    /** The policy keys: allow (overridden by --allow), origin, identifiers; bad values name the key. */
    @Test
    void signingPolicyKeys() throws Exception {
        assertEquals(SigningPolicy.Rules.DEFAULT.allowed(),
                AccountdConfig.load(opts("--privkey=file:k"), user(), log).rules().allowed());
        Path conf = Files.writeString(dir.resolve("p.conf"), "privkey = file:k\nallow = key-change, deactivation\n"
                + "origin = https://acme.example\nidentifiers = example.org *.example.org 192.0.2.0/24\n");
        SigningPolicy.Rules r = AccountdConfig.load(opts("--config=" + conf), user(), log).rules();
        assertEquals(java.util.Set.of(lacme.common.acme.AcmeRequest.Kind.KEY_CHANGE,
                lacme.common.acme.AcmeRequest.Kind.DEACTIVATION), r.allowed());
        assertEquals("https://acme.example:443", r.origin().toString());
        assertTrue(r.allowlist().permits(new lacme.common.acme.AcmeRequest.Identifier("dns", "www.example.org")));
        assertEquals(java.util.Set.of(lacme.common.acme.AcmeRequest.Kind.DEACTIVATION),
                AccountdConfig.load(opts("--config=" + conf, "--allow=deactivation"), user(), log).rules().allowed(),
                "--allow overrides allow");
        assertEquals(java.util.Set.of(), AccountdConfig.load(opts("--config=" + conf, "--allow="), user(), log)
                .rules().allowed());
        for (String[] bad : new String[][] {
            {"allow = everything", "allow: unknown request kind 'everything' (key-change, deactivation)"},
            {"allow = new-order", "allow: unknown request kind 'new-order' (key-change, deactivation)"},
            {"origin = http://acme.example", "origin: 'http://acme.example' is not an https origin (https://host[:port])"},
            {"identifiers = a..b", "identifiers: 'a..b' is neither a DNS name, *.name, nor an IP address or network"}}) {
            Path c = Files.writeString(dir.resolve("bad.conf"), "privkey = file:k\n" + bad[0] + "\n");
            assertEquals(bad[1], assertThrows(AccountdException.class,
                    () -> AccountdConfig.load(opts("--config=" + c), user(), log)).getMessage(), bad[0]);
        }
        assertEquals("--allow: unknown request kind 'all' (key-change, deactivation)", assertThrows(
                AccountdException.class, () -> AccountdConfig.load(opts("--privkey=file:k", "--allow=all"), user(), log))
                .getMessage());
    }
}
