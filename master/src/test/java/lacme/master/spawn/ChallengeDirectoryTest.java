package lacme.master.spawn;

import lacme.common.config.Passwd;
import lacme.master.Cleanup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finding 4 of issue 10 and the challenge-directory part of issue 15 failure 2: the temporary
 * challenge directory sits in a root-owned 0711 parent, is removed through descriptors only,
 * survives a racer who owns it and can write its base, and leftovers of killed runs (root's,
 * sealed, lock not held) are removed by the next run while a live run's are kept.
 */
class ChallengeDirectoryTest {
    static final String CLIENT = "_lacme-client";
    final Logger log = LoggerFactory.getLogger("test");
    @TempDir
    Path tmp;

    static boolean root() {
        return PrivDrop.currentUid() == 0;
    }

    @Test
    void rootParentClientChildAndNothingPlantedIsFollowed() throws Exception {
        String client = root() ? CLIENT : "";
        Cleanup c = new Cleanup(log);
        Path dir = ChallengeDirectory.create(tmp, client, c);
        Path parent = dir.getParent();
        assertTrue(parent.getFileName().toString().matches("lacme\\.[0-9a-f]{16}"), parent.toString());
        assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(parent)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        if (root()) {
            assertEquals(0, Files.getAttribute(parent, "unix:uid"));
            assertEquals((int) Passwd.user(CLIENT).orElseThrow().uid(), Files.getAttribute(dir, "unix:uid"));
        }
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "x");
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/f"), "x");
        Files.createSymbolicLink(dir.resolve("link-to-dir"), outside);
        Files.createSymbolicLink(dir.resolve("a/link-to-file"), outside.resolve("precious"));
        c.runAll();
        assertFalse(Files.exists(parent, LinkOption.NOFOLLOW_LINKS), "parent and challenge directory removed");
        assertEquals("x", Files.readString(outside.resolve("precious")));
    }

    /**
     * Renames every entry of its directories and puts a link to the victim in its place. It runs
     * detached (setsid -f: Cleanup.runAll stops every descendant), writes its pid to
     * {@code $pidfile} and stops when {@code $stop} appears or after {@code $secs}.
     */
    static final String RACER = """
            my ($base, $victim, $secs, $pidfile, $stop) = @ARGV; my $end = time + $secs;
            open(my $fh, ">", "$pidfile.new") or die; print $fh "$$\n"; close $fh; rename("$pidfile.new", $pidfile);
            while (time < $end && !-e $stop) {
              for my $d ($base, glob("$base/lacme.*")) {
                opendir(my $dh, $d) or next; my @e = grep { !/^\\.\\.?$/ } readdir $dh; closedir $dh;
                for my $e (map { "$d/$_" } @e) {
                  if ($e =~ /\\.moved$/) { rmdir($e) or unlink($e); next }
                  next if -l $e;
                  symlink($victim, $e) if rename($e, "$e.moved");
                }
              }
            }
            """;

    @Test
    void aRacerOwningTheDirectoryCannotMakeRootEmptyAnother() throws Exception {
        Assumptions.assumeTrue(root() && Passwd.user(CLIENT).isPresent(), "needs root and " + CLIENT);
        Files.setAttribute(tmp, "unix:mode", 0711);
        Path victim = Files.createDirectory(tmp.resolve("victim"));
        Files.writeString(victim.resolve("keep"), "x");
        Path base = Files.createDirectory(tmp.resolve("base"));
        long uid = Passwd.user(CLIENT).get().uid();
        Files.setAttribute(base, "unix:uid", (int) uid); // the worst case: the client can write the base too
        Path pidFile = Files.createDirectory(tmp.resolve("racer")).resolve("pid");
        Files.setAttribute(pidFile.getParent(), "unix:uid", (int) uid);
        Path stop = tmp.resolve("stop");
        new ProcessBuilder("/usr/bin/setsid", "-f", "/usr/bin/setpriv", "--reuid=" + uid, "--regid=65534",
                "--clear-groups", "/usr/bin/perl", "-e", RACER, base.toString(), victim.toString(), "120",
                pidFile.toString(), stop.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start()
                .waitFor(10, TimeUnit.SECONDS);
        for (int i = 0; i < 100 && !Files.exists(pidFile); i++) {
            Thread.sleep(50);
        }
        ProcessHandle racer = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
        int created = 0;
        try {
            for (int i = 0; i < 500 && racer.isAlive(); i++) {
                Cleanup c = new Cleanup(log);
                try {
                    ChallengeDirectory.create(base, CLIENT, c);
                    created++;
                } catch (lacme.master.Fatal e) {
                    // the racer may break a creation, never redirect root
                }
                c.runAll();
                try (Stream<Path> v = Files.list(victim)) {
                    assertEquals(List.of(victim.resolve("keep")), v.toList(), "victim changed at cycle " + i);
                }
            }
            assertTrue(racer.isAlive(), "the racer ran throughout");
        } finally {
            Files.writeString(stop, "");
            racer.onExit().get(10, TimeUnit.SECONDS);
        }
        System.err.printf("ChallengeDirectoryTest: 500 cycles, %d created%n", created);
        assertTrue(created > 0);
    }

    @Test
    void leftoversOfDeadRunsGoLiveAndForeignOnesStay() throws Exception {
        Path dead = Files.createDirectory(tmp.resolve("lacme.00000000000000aa"));
        Files.writeString(dead.resolve(ChallengeDirectory.PARENT_LOCK), "");
        Files.createDirectories(dead.resolve("acme-challenge.00000000000000aa/sub"));
        Files.writeString(dead.resolve("acme-challenge.00000000000000aa/sub/token"), "t");
        Files.setAttribute(dead, "unix:mode", 0711);
        Path notOurs = Files.createDirectory(tmp.resolve("lacme.00000000000000bb"));
        Files.setAttribute(notOurs, "unix:mode", 0755); // others may list it: not one we made
        Path other = Files.createDirectory(tmp.resolve("something-else"));
        Path unmoved = Files.createDirectory(tmp.resolve("acme-challenge.00000000000000dd"));
        Files.setAttribute(unmoved, "unix:mode", 0700);
        Files.setLastModifiedTime(unmoved, java.nio.file.attribute.FileTime.fromMillis(0)); // long dead
        Cleanup live = new Cleanup(log);
        Path liveDir = ChallengeDirectory.create(tmp, "", live); // removes the dead one
        assertFalse(Files.exists(dead, LinkOption.NOFOLLOW_LINKS), "a dead run's leftover is removed");
        assertFalse(Files.exists(unmoved, LinkOption.NOFOLLOW_LINKS), "an old empty unmoved one too");
        assertTrue(Files.isDirectory(notOurs) && Files.isDirectory(other));
        Cleanup second = new Cleanup(log);
        ChallengeDirectory.create(tmp, "", second);
        assertTrue(Files.isDirectory(liveDir), "a live run's directory (lock held) is kept");
        second.runAll();
        live.runAll();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 holds a lock as another process");
        Path held = Files.createDirectory(tmp.resolve("lacme.00000000000000cc"));
        Files.setAttribute(held, "unix:mode", 0711);
        Path lock = Files.writeString(held.resolve(ChallengeDirectory.PARENT_LOCK), "");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl,sys,time; f=open(sys.argv[1],'r+');"
                + " fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)", lock.toString()).start();
        try {
            assertEquals("locked", new BufferedReader(new InputStreamReader(p.getInputStream())).readLine());
            Cleanup c = new Cleanup(log);
            ChallengeDirectory.create(tmp, "", c);
            c.runAll();
            assertTrue(Files.exists(lock), "another process's live lock keeps its directory");
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        Cleanup c = new Cleanup(log);
        ChallengeDirectory.create(tmp, "", c);
        c.runAll();
        assertFalse(Files.exists(held), "killed: its directory goes with the next run");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(notOurs, other), s.sorted().toList());
        }
    }
}
