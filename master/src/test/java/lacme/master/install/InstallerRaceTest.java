package lacme.master.install;

import lacme.common.config.Passwd;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finding 1 of issue 10: a user who can write the certificate's directory races every install,
 * as a real unprivileged process (setpriv to {@code _lacme-www}), renaming each new entry away
 * and putting a symbolic link to a root-only victim file in its place, in a tight loop. Over
 * thousands of installs (chown to that user, mode 0644) the victim keeps its owner, mode and
 * content. Against the path-based installer this racer wins within the first few hundred.
 */
class InstallerRaceTest {
    static final int INSTALLS = 2000;
    static final String USER = "_lacme-www";
    /** Renames every entry but the certificate and puts a link to the victim in its place. */
    static final String RACER = """
            my ($dir, $victim, $secs) = @ARGV; my $end = time + $secs; chdir $dir or die "chdir: $!";
            while (time < $end) {
              opendir(my $dh, ".") or die; my @e = grep { !/^\\.\\.?$/ && $_ ne "cert.pem" } readdir $dh; closedir $dh;
              for my $e (@e) {
                if ($e =~ /\\.moved$/) { unlink($e) or rmdir($e); next }
                symlink($victim, $e) if rename($e, "$e.moved");
              }
            }
            """;

    @TempDir
    Path diskTmp;

    @Test
    void aRacerInTheTargetDirectoryCannotRedirectRootToAnotherFile() throws Exception {
        // tmpfs when there is one: the race is about names, and 2000 fsyncs on a shared disk are slow
        Path shm = Path.of("/dev/shm");
        Path tmp = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "installer-race.") : diskTmp;
        try {
            race(tmp);
        } finally {
            if (!tmp.equals(diskTmp)) {
                Runtime.getRuntime().exec(new String[] {"rm", "-rf", "--one-file-system", tmp.toString()}).waitFor();
            }
        }
    }

    private void race(Path tmp) throws Exception {
        Assumptions.assumeTrue(InstallerTest.isRoot(), "the racer runs as another user: needs root");
        Assumptions.assumeTrue(Passwd.user(USER).isPresent(), USER + " exists (scripts/setup.sh)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/perl")));
        Files.setAttribute(tmp, "unix:mode", 0711);
        Path victim = tmp.resolve("victim");
        Files.writeString(victim, "root only\n");
        Files.setAttribute(victim, "unix:mode", 0600);
        Path dir = Files.createDirectory(tmp.resolve("certs"));
        Files.setAttribute(dir, "unix:uid", (int) Passwd.user(USER).get().uid()); // the service user's directory
        Files.setAttribute(dir, "unix:mode", 0755);
        Path target = dir.resolve("cert.pem");
        long uid = Passwd.user(USER).get().uid();
        Process racer = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + uid, "--regid=65534", "--clear-groups",
                "/usr/bin/perl", "-e", RACER, dir.toString(), victim.toString(), "300")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int ok = 0;
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < INSTALLS && racer.isAlive(); i++) {
                try {
                    Installer.install(target, "certificate " + i + "\n", "0644", USER);
                    ok++;
                } catch (IOException e) {
                    // a failed install is fine: the racer may break ours, never redirect it
                }
                assertUntouched(victim, i);
            }
            assertTrue(racer.isAlive(), "the racer ran throughout");
        } finally {
            racer.destroyForcibly();
            racer.waitFor(10, TimeUnit.SECONDS);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.err.printf("InstallerRaceTest: %d installs, %d succeeded, %d ms%n", INSTALLS, ok, ms);
        assertTrue(ms < 240_000, "bounded time: " + ms + " ms");
        Installer.install(target, "final\n", "0644", USER);
        assertEquals("final\n", Files.readString(target));
        assertEquals((int) uid, Files.getAttribute(target, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> ours = s.filter(p -> p.getFileName().toString().matches("cert\\.pem\\.lacme-[0-9a-f]{16}\\.d"))
                    .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
            assertEquals(List.of(), ours, "no private directory left once the racer stopped");
        }
    }

    private static void assertUntouched(Path victim, int i) throws IOException {
        assertEquals("root only\n", Files.readString(victim), "victim content after install " + i);
        assertEquals(0, Files.getAttribute(victim, "unix:uid"), "victim owner after install " + i);
        assertEquals(0600, (Integer) Files.getAttribute(victim, "unix:mode") & 07777, "victim mode after install " + i);
    }
}
