package lacme.client.acme;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Challenge files: exclusive creation, mode 0644 whatever the umask, removal of our own files only. */
class ChallengeFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesWorldReadableAndRemoves() throws Exception {
        try (ChallengeFiles f = new ChallengeFiles(dir)) {
            f.write("tok1", "tok1.thumb");
            assertEquals("tok1.thumb", Files.readString(dir.resolve("tok1")));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tok1"))));
            assertEquals(List.of(dir.resolve("tok1")), f.created());
        }
        assertFalse(Files.exists(dir.resolve("tok1")));
    }

    @Test
    void refusesBadTokensWithoutTouchingTheDisk() throws Exception {
        try (ChallengeFiles f = new ChallengeFiles(dir)) {
            assertThrows(AcmeException.class, () -> f.write("../escape", "x"));
            assertThrows(AcmeException.class, () -> f.write(".hidden", "x"));
        }
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
        assertFalse(Files.exists(dir.getParent().resolve("escape")));
    }

    @Test
    void existingFileWithOtherContentIsNotOverwritten() throws Exception {
        Files.writeString(dir.resolve("tok"), "someone else's");
        try (ChallengeFiles f = new ChallengeFiles(dir)) {
            AcmeException e = assertThrows(AcmeException.class, () -> f.write("tok", "tok.thumb"));
            assertTrue(e.getMessage().contains("already exists"));
        }
        assertEquals("someone else's", Files.readString(dir.resolve("tok")), "not ours: left alone");
    }

    @Test
    void existingFileWithSameContentIsSharedNotRemoved() throws Exception {
        Files.writeString(dir.resolve("tok"), "tok.thumb");
        try (ChallengeFiles f = new ChallengeFiles(dir)) {
            f.write("tok", "tok.thumb");
            assertEquals(List.of(), f.created());
        }
        assertTrue(Files.exists(dir.resolve("tok")));
    }

    @Test
    void symlinkIsNotFollowed() throws Exception {
        Path target = Files.createTempFile("victim", "");
        try {
            Files.createSymbolicLink(dir.resolve("tok"), target);
            try (ChallengeFiles f = new ChallengeFiles(dir)) {
                assertThrows(AcmeException.class, () -> f.write("tok", "tok.thumb"));
            }
            assertEquals("", Files.readString(target));
        } finally {
            Files.deleteIfExists(target);
        }
    }

    @Test
    void alpnFilesAreNamedBySniName() throws Exception {
        try (ChallengeFiles f = new ChallengeFiles(dir)) {
            f.writeAlpn(new AcmeClient.Identifier("dns", "WWW.Example.org"), "tok.thumb");
            f.writeAlpn(new AcmeClient.Identifier("ip", "127.0.0.1"), "tok2.thumb");
            f.writeAlpn(new AcmeClient.Identifier("ip", "2001:db8::1"), "tok3.thumb");
            assertEquals("tok.thumb", Files.readString(dir.resolve("alpn.www.example.org")));
            assertEquals("tok2.thumb", Files.readString(dir.resolve("alpn.1.0.0.127.in-addr.arpa")));
            assertEquals("tok3.thumb", Files.readString(dir.resolve(
                    "alpn.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("alpn.www.example.org"))));
        }
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "removed on close");
        }
    }

    @Test
    void hostileAlpnIdentifiersAreRefused() throws Exception {
        try (ChallengeFiles f = new ChallengeFiles(dir)) {
            for (AcmeClient.Identifier id : List.of(new AcmeClient.Identifier("dns", "../../etc/passwd"),
                    new AcmeClient.Identifier("dns", "*.example.org"), new AcmeClient.Identifier("dns", "localhost"),
                    new AcmeClient.Identifier("ip", "example.org"), new AcmeClient.Identifier("ip", "1.2.3.4/../x"),
                    new AcmeClient.Identifier("email", "a@example.org"), new AcmeClient.Identifier("dns", null))) {
                assertThrows(AcmeException.class, () -> f.writeAlpn(id, "t.x"), id.toString());
            }
        }
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }
}
