package lacme.it;

import lacme.common.config.Passwd;
import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
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
 * {@code [webserver] challenge-directory}: an existing HTTP server (here our webserver run
 * standalone, the {@code lehttpd} way) serves the directory; the master spawns no webserver,
 * holds a mode-0600 lock file in it during the run, and leaves it empty afterwards. A
 * non-empty directory is refused before anything starts.
 */
class ChallengeDirectoryIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path www;
    static Path conf;
    static Process httpd;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
        www = tmp.resolve("www");
        Files.createDirectory(www);
        Files.setPosixFilePermissions(www, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (Dist.isRoot()) {
            Files.setAttribute(www, "unix:uid", (int) Passwd.user("_lacme-client").orElseThrow().uid());
        }
        Tree.Settings s = Tree.Settings.of(pebble);
        s.webserver.put("challenge-directory", www.toString());
        s.webserver.put("listen", ""); // ignored anyway
        conf = Tree.write(tmp, s);
        httpd = new ProcessBuilder(Dist.webserver().toString(), "--listen", "127.0.0.1:" + pebble.httpPort(),
                "--dir", www.toString(), "--timeout", "0")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Dist.register(tmp, conf);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (httpd != null) {
            httpd.destroy();
            if (!httpd.waitFor(10, TimeUnit.SECONDS)) {
                httpd.destroyForcibly();
            }
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void issuesThroughAnExistingServerWithoutSpawningOne() throws Exception {
        List<String> lockModes = new ArrayList<>();
        List<Long> webservers = new ArrayList<>();
        Dist.Run r;
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"))) {
            m.await(x -> {
                webservers.addAll(x.running(Procs.WEBSERVER));
                try {
                    Path lock = www.resolve(".lacme.lock");
                    if (lockModes.isEmpty() && Files.exists(lock)) {
                        lockModes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(lock))
                                + " uid " + Files.getAttribute(lock, "unix:uid"));
                    }
                } catch (java.io.IOException e) {
                    // gone between the two calls
                }
                return false;
            }, 120);
            r = m.finish(10);
        }
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of(), webservers, "no webserver spawned");
        assertEquals(List.of("rw------- uid 0"), lockModes, "lock file seen during the run");
        try (var l = Files.list(www)) {
            assertEquals(List.of(), l.toList(), "challenge files and lock removed");
        }
        assertTrue(Files.size(tmp.resolve("rsa.crt")) > 0 && Files.size(tmp.resolve("ec.crt")) > 0);
    }

    @Test
    void refusesANonEmptyDirectory() throws Exception {
        Path stray = www.resolve("index.html");
        Files.writeString(stray, "hello");
        try {
            Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder", "--force"), 60);
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.stderr().contains("Refusing to use non-empty challenge directory " + www), r.toString());
            assertEquals("hello", Files.readString(stray), "nothing of the directory touched");
        } finally {
            Files.delete(stray);
        }
    }
}
