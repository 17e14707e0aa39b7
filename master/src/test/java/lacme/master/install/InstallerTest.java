package lacme.master.install;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InstallerTest {
    @TempDir
    Path dir;

    @Test
    void replacesAtomicallyWithModeAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("cert.pem");
        Files.writeString(target, "old");
        Installer.install(target, "new", "0640", "");
        assertEquals("new", Files.readString(target));
        assertEquals(0640, (Integer) Files.getAttribute(target, "unix:mode") & 0777);
        assertEquals(List.of(target), Files.list(dir).toList());
    }

    @Test
    void failureKeepsTheOldCertificate() throws IOException {
        Path target = dir.resolve("cert.pem");
        Files.writeString(target, "old");
        assertThrows(IOException.class, () -> Installer.install(target, "new", "0x9", ""));
        assertThrows(IOException.class, () -> Installer.install(target, "new", "", "no-such-user-xyz"));
        assertThrows(IOException.class, () -> Installer.install(target, "new", "", "root:no-such-group-xyz"));
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), Files.list(dir).toList(), "no temporary file left behind");
    }
}
