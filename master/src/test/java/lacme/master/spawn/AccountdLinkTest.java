package lacme.master.spawn;

import lacme.common.config.Specifiers;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * lacme's checks before connecting to a running accountd, one test per refusal, and the
 * accountd command line (split, then %-expanded for the target user).
 */
class AccountdLinkTest {
    @TempDir
    Path tmp;
    Path dir;
    Path sock;
    Cleanup cleanup;
    final Specifiers sp = Specifiers.forCurrentProcess();

    @BeforeEach
    void setUp() throws Exception {
        dir = tmp.resolve("run");
        Files.createDirectory(dir);
        chmod(dir, "rwxr-xr-x");
        sock = dir.resolve("S.lacme");
        cleanup = new Cleanup(LoggerFactory.getLogger("test"));
    }

    @AfterEach
    void tearDown() {
        cleanup.runAll();
    }

    static void chmod(Path p, String perms) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    AFUNIXServerSocketChannel listen() throws Exception {
        AFUNIXServerSocketChannel s = AFUNIXServerSocketChannel.open();
        s.bind(AFUNIXSocketAddress.of(new File(sock.toString())));
        chmod(sock, "rw-------");
        return s;
    }

    String refusal() {
        return assertThrows(Fatal.class, () -> AccountdLink.connect(sock.toString(), sp, cleanup)).getMessage();
    }

    @Test
    void connectsToAPrivateSocketInAPrivateDirectory() throws Exception {
        try (AFUNIXServerSocketChannel s = listen()) {
            AccountdLink link = AccountdLink.connect(sock.toString(), sp, cleanup);
            assertTrue(link.fd().valid());
            s.accept().close();
        }
    }

    @Test
    void refusesAGroupWritableDirectory() throws Exception {
        try (AFUNIXServerSocketChannel s = listen()) {
            chmod(dir, "rwxrwxr-x");
            assertEquals("Insecure permissions on " + dir, refusal());
        }
    }

    @Test
    void refusesAnOtherWritableDirectory() throws Exception {
        try (AFUNIXServerSocketChannel s = listen()) {
            chmod(dir, "rwxr-xrwx");
            assertEquals("Insecure permissions on " + dir, refusal());
        }
    }

    @Test
    void refusesASocketOthersCanReachForEachBit() throws Exception {
        try (AFUNIXServerSocketChannel s = listen()) {
            for (String perms : List.of("rw-r-----", "rw--w----", "rw----r--", "rw-----w-")) {
                chmod(sock, perms);
                assertEquals("Insecure permissions on " + sock, refusal(), perms);
            }
            chmod(sock, "rwx--x--x"); // execute bits do not matter to lacme
            AccountdLink.connect(sock.toString(), sp, cleanup);
        }
    }

    @Test
    void saysAccountdIsNotRunningWhenTheSocketIsMissing() {
        String m = refusal();
        assertTrue(m.startsWith("Can't stat " + sock + ": No such file or directory"), m);
        assertTrue(m.endsWith("(Is lacme-accountd running?)"), m);
    }

    @Test
    void saysAccountdIsNotRunningWhenNobodyListens() throws Exception {
        listen().close();
        if (!Files.exists(sock)) { // junixsocket removed it: leave a stale socket file behind
            Files.writeString(sock, "");
            chmod(sock, "rw-------");
        }
        String m = refusal();
        assertTrue(m.startsWith("connect(" + sock + "): "), m);
        assertTrue(m.endsWith("(Is lacme-accountd running?)"), m);
    }

    @Test
    void refusesAMissingDirectory() {
        sock = tmp.resolve("nowhere/S.lacme");
        assertEquals("stat(" + tmp.resolve("nowhere") + "): No such file or directory", refusal());
    }

    @Test
    void expandsSpecifiersInTheSocketPath() throws Exception {
        Specifiers fake = Specifiers.of(Map.of("TMPDIR", dir.toString()), 0, 0, "root", "root", "/root");
        try (AFUNIXServerSocketChannel s = listen()) {
            AccountdLink.connect("%T/S.lacme", fake, cleanup);
        }
    }

    static Map<String, String> conf(String command) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("user", "");
        c.put("group", "");
        c.put("command", command);
        c.put("config", "");
        c.put("privkey", "");
        c.put("quiet", "Yes");
        return c;
    }

    @Test
    void accountdCommandIsSplitThenExpandedForTheTargetUser() throws Fatal {
        Specifiers target = Specifiers.of(Map.of("HOME", "/home/acme"), 1234, 65534, "acme", "nogroup", "/home/acme");
        Map<String, String> c = conf("  ssh -T  %u@keyhost  lacme-accountd --config=%h/a%%b.conf ");
        c.put("config", "%E/not-expanded.conf");
        c.put("quiet", "No");
        assertEquals(List.of("ssh", "-T", "acme@keyhost", "lacme-accountd", "--config=/home/acme/a%b.conf",
                "--stdio", "--config=%E/not-expanded.conf"), AccountdLink.argv(c, target, false));
        assertEquals(List.of("/usr/bin/lacme-accountd", "--stdio", "--quiet", "--debug"),
                AccountdLink.argv(conf("/usr/bin/lacme-accountd"), target, true));
        assertEquals(List.of("/usr/bin/lacme-accountd", "--stdio", "--quiet", "--allow=deactivation"),
                AccountdLink.argv(conf("/usr/bin/lacme-accountd"), target, false, "deactivation"),
                "a grant from the command the operator ran");
    }

    @Test
    void accountdCommandExpansionErrorsAreFatal() {
        Specifiers target = Specifiers.of(Map.of(), 1234, 65534, "acme", "nogroup", "/home/acme");
        Fatal e = assertThrows(Fatal.class, () -> AccountdLink.argv(conf("%t/accountd"), target, false));
        assertTrue(e.getMessage().contains("Undefined expansion %t"), e.getMessage());
        assertThrows(Fatal.class, () -> AccountdLink.argv(conf("%q"), target, false));
        assertThrows(Fatal.class, () -> AccountdLink.argv(conf("   "), target, false));
    }
}
