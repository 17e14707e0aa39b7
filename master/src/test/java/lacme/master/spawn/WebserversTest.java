package lacme.master.spawn;

import lacme.common.config.Passwd;
import lacme.common.config.Specifiers;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The challenge directory and the webserver sockets: created and removed on cleanup (a stand-in
 * webserver, {@code sleep}, holds the socket), a configured challenge-directory locked and
 * emptied with no webserver spawned, and nothing outside the temporary directory touched.
 */
class WebserversTest {
    @TempDir
    Path tmp;
    final Logger log = LoggerFactory.getLogger("test");
    final Cleanup cleanup = new Cleanup(log);
    final Spawner spawner = new Spawner(cleanup, log);
    final Specifiers sp = Specifiers.forCurrentProcess();

    @AfterEach
    void tearDown() {
        cleanup.runAll();
    }

    static Map<String, String> conf(String listen) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("listen", listen);
        c.put("challenge-directory", null);
        c.put("user", "");
        c.put("group", "");
        c.put("command", "/bin/sleep 60");
        c.put("iptables", "No");
        return c;
    }

    long children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
    }

    @Test
    void unixSocketAndTemporaryDirectoryLiveForTheRunOnly() throws Exception {
        Path sock = tmp.resolve("www.socket");
        String clientUser = PrivDrop.currentUid() == 0 ? "_lacme-client" : "";
        long before = children();
        Path dir = Webservers.start(conf(sock.toString()), clientUser, false, sp, spawner, cleanup, log);
        assertTrue(Files.isDirectory(dir));
        assertTrue(dir.getFileName().toString().startsWith("acme-challenge."));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        if (!clientUser.isEmpty()) {
            assertEquals((int) Passwd.user(clientUser).orElseThrow().uid(), Files.getAttribute(dir, "unix:uid"),
                    "the client user owns the challenge directory");
        }
        assertEquals(0140000, (Integer) Files.getAttribute(sock, "unix:mode") & 0170000, "a socket");
        assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        assertEquals(before + 1, children(), "one webserver for one address");
        Files.writeString(dir.resolve("token"), "x");
        cleanup.runAll();
        assertFalse(Files.exists(dir), "temporary directory removed");
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "socket unlinked");
        assertEquals(before, children(), "webserver stopped");
    }

    @Test
    void refusesToBindOverAnExistingFileAndLeavesItAlone() throws Exception {
        Path victim = tmp.resolve("important");
        Files.writeString(victim, "keep me");
        Fatal e = assertThrows(Fatal.class,
                () -> Webservers.start(conf(victim.toString()), "", false, sp, spawner, cleanup, log));
        assertEquals("Couldn't bind to " + victim + ": Address already in use", e.getMessage());
        cleanup.runAll();
        assertEquals("keep me", Files.readString(victim));
    }

    @Test
    void everyAddressIsBoundBeforeAnyWebserverStarts() throws Exception {
        Path first = tmp.resolve("first.socket");
        Path taken = tmp.resolve("taken");
        Files.writeString(taken, "");
        long before = children();
        assertThrows(Fatal.class, () -> Webservers.start(conf(first + " " + taken), "", false, sp, spawner, cleanup, log));
        assertEquals(before, children(), "no webserver started when the second bind fails");
        cleanup.runAll();
        assertFalse(Files.exists(first, LinkOption.NOFOLLOW_LINKS), "the first socket unlinked");
    }

    @Test
    void configuredChallengeDirectoryIsLockedEmptiedAndServedByNoChild() throws Exception {
        Path dir = tmp.resolve("www");
        Files.createDirectory(dir);
        Map<String, String> c = conf("/nonexistent/never-bound.socket");
        c.put("challenge-directory", dir.toString());
        c.put("iptables", "Yes"); // ignored with challenge-directory, as in lacme
        long before = children();
        assertEquals(dir, Webservers.start(c, "", false, sp, spawner, cleanup, log));
        assertEquals(before, children(), "no webserver spawned");
        Path lock = dir.resolve(".lacme.lock");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
        assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(lock));
        Fatal busy = assertThrows(Fatal.class, () -> Webservers.start(c, "", false, sp, spawner, new Cleanup(log), log));
        assertEquals("Refusing to use non-empty challenge directory " + dir, busy.getMessage());
        Files.writeString(dir.resolve("token1"), "a");
        Files.writeString(dir.resolve("token2"), "b");
        cleanup.runAll();
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "challenge files and lock removed");
        }
    }

    @Test
    void configuredChallengeDirectoryMustExist() {
        Map<String, String> c = conf("");
        c.put("challenge-directory", tmp.resolve("missing").toString());
        assertTrue(assertThrows(Fatal.class, () -> Webservers.start(c, "", false, sp, spawner, cleanup, log))
                .getMessage().startsWith("opendir(" + tmp.resolve("missing") + ")"));
    }

    @Test
    void emptyListenNeedsAChallengeDirectory() {
        assertEquals("'challenge-directory' option is required in section [webserver] when 'listen' is empty",
                assertThrows(Fatal.class, () -> Webservers.start(conf(""), "", false, sp, spawner, cleanup, log))
                        .getMessage());
    }

    @Test
    void listenTlsStartsATlsAlpnResponderBesideTheHttpOne() throws Exception {
        Path args = tmp.resolve("args");
        Path script = tmp.resolve("webserver.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$*\" >> " + args + "\nexec sleep 60\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> c = conf(tmp.resolve("www.socket").toString());
        c.put("listen-tls", "127.0.0.1:0");
        c.put("command", script.toString());
        long before = children();
        Webservers.start(c, "", false, sp, spawner, cleanup, log);
        assertEquals(before + 2, children(), "one webserver per address");
        for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end
                && (!Files.exists(args) || Files.readAllLines(args).size() < 2);) {
            Thread.sleep(20);
        }
        assertEquals(List.of("", "--tls-alpn"), Files.readAllLines(args).stream().sorted().toList());
        cleanup.runAll();
        assertEquals(before, children());
    }

    @Test
    void listenTlsAloneNeedsNoHttpListenerAndDefaultsToPort443() {
        assertEquals(443, lacme.common.os.ListenAddress.parseList("127.0.0.1 [::1]", Webservers.TLS_PORT).get(1)
                .inet().getPort());
        Map<String, String> c = conf("");
        c.put("listen-tls", "300.0.0.1");
        assertEquals("Invalid address: 300.0.0.1",
                assertThrows(Fatal.class, () -> Webservers.start(c, "", false, sp, spawner, cleanup, log)).getMessage());
    }
}
