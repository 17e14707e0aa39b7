package lacme.common.os;

import lacme.common.config.Passwd;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The check root makes before spawning: could the dropped user run this command? */
class AccessTest {
    @TempDir
    Path tmp;
    Path home;
    Path cmd;
    long nobody;
    long nogroup;

    @BeforeEach
    void layout() throws IOException {
        nobody = Passwd.user("nobody").orElseThrow().uid();
        nogroup = Passwd.gid("nogroup").orElseThrow();
        mode(tmp, "rwxr-xr-x");
        home = Files.createDirectories(tmp.resolve("root"));
        Path bin = Files.createDirectories(home.resolve("x/libexec/lacme"));
        cmd = Files.writeString(bin.resolve("client"), "#!/bin/sh\nexit 0\n");
        mode(cmd, "rwxr-xr-x");
        mode(home.resolve("x"), "rwxr-xr-x");
        mode(home.resolve("x/libexec"), "rwxr-xr-x");
        mode(bin, "rwxr-xr-x");
    }

    static void mode(Path p, String m) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(m));
    }

    String check(String command) {
        return Access.cannotRun(command, tmp, "/usr/bin:/bin", nobody, nogroup, "nobody");
    }

    @Test
    void aMode0700DirectoryOnTheWayIsNamed() throws IOException {
        mode(home, "rwx------");
        assertEquals(cmd + " is not readable/executable by nobody (" + home + " is mode 0700)", check(cmd.toString()));
        mode(home, "rwx--x--x");
        assertNull(check(cmd.toString()), "search permission is enough for a directory");
    }

    @Test
    void theCommandItselfMustBeReadableAndExecutable() throws IOException {
        mode(cmd, "rwx--x--x");
        assertEquals(cmd + " is not readable/executable by nobody (mode 0711)", check(cmd.toString()),
                "a script is read by its interpreter");
        mode(cmd, "rwxr--r--");
        assertEquals(cmd + " is not readable/executable by nobody (mode 0744)", check(cmd.toString()));
    }

    @Test
    void aSymbolicLinkIsJudgedByWhereItLeads() throws IOException {
        mode(home, "rwx------");
        Path link = Files.createSymbolicLink(tmp.resolve("client"), cmd);
        assertEquals(link + " is not readable/executable by nobody (" + home + " is mode 0700)", check(link.toString()));
    }

    @Test
    void relativeCommandsAreResolvedInTheChildsCwdAndBareNamesInItsPath() throws IOException {
        mode(home, "rwx------");
        assertEquals(cmd + " is not readable/executable by nobody (" + home + " is mode 0700)",
                check("root/x/libexec/lacme/client"));
        assertNull(check("sh"), "/usr/bin/sh or /bin/sh is everyone's");
        assertNull(check("no-such-program-xyz"), "exec itself reports a missing program");
    }

    @Test
    void groupBitsApplyToTheTargetGroup() throws IOException {
        mode(home, "rwxrwx---");
        Files.setAttribute(home, "unix:gid", (int) nogroup);
        assertNull(check(cmd.toString()));
    }
}
