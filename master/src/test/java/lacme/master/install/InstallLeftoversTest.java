package lacme.master.install;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 failure 2 (file part): an install removes what killed runs left beside the same
 * certificate — provably theirs: the naming pattern, this user's, sealed, lock free — and
 * leaves a live run's (its lock held by another process), another user's, links and other names.
 */
class InstallLeftoversTest {
    @TempDir
    Path dir;

    private Path privateDir(String hex, boolean withTmp) throws Exception {
        Path p = Files.createDirectory(dir.resolve("cert.pem.lacme-" + hex + ".d"));
        Files.setAttribute(p, "unix:mode", 0700);
        if (withTmp) {
            Files.writeString(p.resolve("cert.pem.tmp"), "half");
        }
        return p;
    }

    @Test
    void deadRunsLeftoversGoTheRestStays() throws Exception {
        Path target = Files.writeString(dir.resolve("cert.pem"), "old");
        Path dead = privateDir("00000000000000a1", true);
        Path emptyOld = privateDir("00000000000000a2", false);
        Files.setLastModifiedTime(emptyOld, FileTime.fromMillis(0));
        Path emptyYoung = privateDir("00000000000000a3", false); // may be a live run between mkdir and create
        Path oldStyle = Files.writeString(dir.resolve("cert.pem.1234567890.tmp"), "half");
        Path otherCert = privateDir("00000000000000a4", true).resolveSibling("other.pem.lacme-00000000000000a4.d");
        Files.move(dir.resolve("cert.pem.lacme-00000000000000a4.d"), otherCert);
        Path open = Files.createDirectory(dir.resolve("cert.pem.lacme-00000000000000a5.d")); // 0755: not sealed
        Path link = Files.createSymbolicLink(dir.resolve("cert.pem.lacme-00000000000000a6.d"), open);
        Installer.install(target, "new", "0644", "");
        assertEquals("new", Files.readString(target));
        assertFalse(Files.exists(dead, LinkOption.NOFOLLOW_LINKS), "a killed run's directory and file");
        assertFalse(Files.exists(emptyOld, LinkOption.NOFOLLOW_LINKS), "an old empty one");
        assertFalse(Files.exists(oldStyle, LinkOption.NOFOLLOW_LINKS), "an earlier version's temporary file");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(target, emptyYoung, open, link, otherCert).stream().sorted().toList(),
                    s.sorted().toList());
        }
    }

    @Test
    void aLiveRunsFileIsKeptUntilItsProcessDies() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 holds a lock as another process");
        Path target = Files.writeString(dir.resolve("cert.pem"), "old");
        Path live = privateDir("00000000000000b1", true);
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl,sys,time; f=open(sys.argv[1],'r+');"
                + " fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
                live.resolve("cert.pem.tmp").toString()).start();
        try {
            assertEquals("locked", new BufferedReader(new InputStreamReader(p.getInputStream())).readLine());
            Installer.install(target, "new", "0644", "");
            assertTrue(Files.exists(live.resolve("cert.pem.tmp")), "a live run's file is kept");
        } finally {
            p.destroyForcibly(); // SIGKILL: as the master killed mid-install
            p.waitFor(10, TimeUnit.SECONDS);
        }
        Installer.install(target, "newer", "0644", "");
        assertFalse(Files.exists(live, LinkOption.NOFOLLOW_LINKS), "gone with the next install once its run is dead");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(target), s.toList());
        }
    }
}
