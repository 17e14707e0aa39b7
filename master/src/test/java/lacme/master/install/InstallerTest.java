package lacme.master.install;

import lacme.common.config.Passwd;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** lacme's install_cert: mode and owner rules; a failure at any step keeps the old file, leaves no temp file. */
class InstallerTest {
    @TempDir
    Path dir;

    private Path old() throws IOException {
        Path target = dir.resolve("cert.pem");
        Files.writeString(target, "old");
        Files.setAttribute(target, "unix:mode", 0600);
        return target;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private void assertUntouched(Path target, List<Path> before) throws IOException {
        assertEquals("old", Files.readString(target));
        assertEquals(0600, (Integer) Files.getAttribute(target, "unix:mode") & 07777);
        assertEquals(before, files(), "no temporary file left behind");
    }

    @Test
    void replacesAtomicallyWithModeAndLeavesNoTemporaryFile() throws IOException {
        Path target = old();
        Installer.install(target, "new", "0640", "");
        assertEquals("new", Files.readString(target));
        assertEquals(0640, (Integer) Files.getAttribute(target, "unix:mode") & 07777);
        assertEquals(List.of(target), files());
        Installer.install(target, "newer", "", "");
        assertEquals(0644 & ~Installer.umask(), (Integer) Files.getAttribute(target, "unix:mode") & 07777,
                "no mode: 0644 minus the umask");
    }

    @Test
    void modeIsReadAsPerlsOct() throws IOException {
        assertEquals(0640, Installer.mode("640"));
        assertEquals(0, Installer.mode("8"), "oct('8') is 0");
        assertEquals(06, Installer.mode("0689"), "an 8 or 9 ends the number");
        assertEquals(02345, Installer.mode("12345"), "only permission bits reach chmod");
        assertEquals("Not an octal string: 0x9", assertThrows(IOException.class, () -> Installer.mode("0x9")).getMessage());
        assertThrows(IOException.class, () -> Installer.mode("-1"));
        assertThrows(IOException.class, () -> Installer.mode(" 644"));
    }

    @Test
    void ownerAndGroupByName() throws IOException {
        Assumptions.assumeTrue(Passwd.user("nobody").isPresent() && Passwd.gid("nogroup").isPresent(), "needs the user nobody and the group nogroup");
        Assumptions.assumeTrue(isRoot(), "chown needs root");
        Path target = old();
        Installer.install(target, "new", "0640", "nobody:nogroup");
        assertEquals(Passwd.user("nobody").get().uid(), ((Integer) Files.getAttribute(target, "unix:uid")).longValue());
        assertEquals(Passwd.gid("nogroup").get(), ((Integer) Files.getAttribute(target, "unix:gid")).longValue());
        Installer.install(target, "new", "0640", "root");
        assertEquals(0, (Integer) Files.getAttribute(target, "unix:uid"));
        assertEquals(0, (Integer) Files.getAttribute(target, "unix:gid"),
                "no group: the new file keeps its creator's group, as lacme's temporary file does");
    }

    @Test
    void badSettingsFailBeforeAnythingIsWritten() throws IOException {
        Path target = old();
        List<Path> before = files();
        assertEquals("Not an octal string: 0x9", assertThrows(IOException.class,
                () -> Installer.install(target, "new", "0x9", "")).getMessage());
        assertEquals("getpwnam(no-such-user-xyz)", assertThrows(IOException.class,
                () -> Installer.install(target, "new", "", "no-such-user-xyz")).getMessage());
        assertEquals("getgrnam(no-such-group-xyz)", assertThrows(IOException.class,
                () -> Installer.install(target, "new", "", "root:no-such-group-xyz")).getMessage());
        assertEquals("getgrnam()", assertThrows(IOException.class,
                () -> Installer.install(target, "new", "", "root:")).getMessage(), "lacme: an empty group is looked up");
        assertEquals("getpwnam()", assertThrows(IOException.class,
                () -> Installer.install(target, "new", "", ":root")).getMessage());
        assertUntouched(target, before);
    }

    @Test
    void renameFailureKeepsTheTargetAndRemovesTheTemporaryFile() throws IOException {
        Path target = Files.createDirectory(dir.resolve("cert.pem"));
        Files.writeString(target.resolve("inside"), "x");
        IOException e = assertThrows(IOException.class, () -> Installer.install(target, "new", "", ""));
        assertEquals(true, e.getMessage().startsWith("rename("), e.getMessage());
        assertEquals(List.of(target), files());
        assertEquals("x", Files.readString(target.resolve("inside")));
    }

    @Test
    void missingDirectoryFails() {
        IOException e = assertThrows(IOException.class,
                () -> Installer.install(dir.resolve("nope/cert.pem"), "new", "", ""));
        assertEquals(true, e.getMessage().contains(dir.resolve("nope").toString()), e.getMessage());
    }

    @Test
    void unwritableDirectoryKeepsTheOldCertificate() throws Exception {
        Path target = old();
        List<Path> before = files();
        boolean immutable = !isRoot() ? chmod(dir, "555") : run("chattr", "+i", dir.toString());
        Assumptions.assumeTrue(immutable, "cannot make a directory unwritable here (root without chattr +i)");
        try {
            assertThrows(IOException.class, () -> Installer.install(target, "new", "0644", ""));
        } finally {
            if (isRoot()) {
                run("chattr", "-i", dir.toString());
            } else {
                chmod(dir, "755");
            }
        }
        assertUntouched(target, before);
    }

    private static boolean chmod(Path p, String mode) throws Exception {
        return run("chmod", mode, p.toString());
    }

    private static boolean run(String... argv) throws Exception {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
