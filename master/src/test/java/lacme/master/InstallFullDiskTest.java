package lacme.master;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 15: installing on a full file system (a small tmpfs, filled) fails with a message that
 * names the file, and leaves the old certificate byte-identical and no temporary file. Needs
 * root (mount); skipped otherwise.
 */
class InstallFullDiskTest {
    @TempDir
    Path dir;
    private boolean mounted;

    private static int sh(String... argv) throws IOException, InterruptedException {
        return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }

    @BeforeEach
    void mount() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a tmpfs");
        mounted = sh("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", dir.toString()) == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            sh("umount", dir.toString());
        }
    }

    @Test
    void enospcNamesTheFileAndKeepsTheOldOne() throws Exception {
        Path cert = dir.resolve("www.crt");
        Files.writeString(cert, "old certificate\n");
        sh("dd", "if=/dev/zero", "of=" + dir.resolve("fill"), "bs=4k", "count=64");
        Fatal f = assertThrows(Fatal.class, () -> NewOrderCommand.install(cert, "x".repeat(64 * 1024), "", ""));
        assertTrue(f.getMessage().contains(cert.toString()), f.getMessage());
        assertTrue(f.getMessage().contains("No space left on device"), f.getMessage());
        assertEquals("old certificate\n", Files.readString(cert));
        try (var s = Files.list(dir)) {
            assertEquals(List.of("fill", "www.crt"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
