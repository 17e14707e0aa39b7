package lacme.accountd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The terminal passphrase prompt: echo off or no read, buffers wiped. A file stands in for the tty. */
class TerminalPassphraseTest {
    @TempDir
    Path dir;

    @Test
    void notReadWhenEchoCannotBeTurnedOff() throws Exception {
        Path tty = Files.writeString(dir.resolve("tty"), "secret\n");
        List<Boolean> calls = new ArrayList<>();
        TerminalPassphrase p = new TerminalPassphrase(tty.toFile(), (File t, boolean on) -> {
            calls.add(on);
            return false;
        });
        AccountdException e = assertThrows(AccountdException.class, () -> p.ask("account.key"));
        assertTrue(e.getMessage().contains("echo cannot be turned off"), e.getMessage());
        assertEquals(List.of(false), calls);
        // no prompt was written either: the "terminal" holds only what was there
        assertEquals("secret\n", Files.readString(tty));
    }

    @Test
    void readWithEchoOffThenRestored() throws Exception {
        Path tty = Files.writeString(dir.resolve("tty"), "s3cr\u00e9t\r\n");
        List<Boolean> calls = new ArrayList<>();
        TerminalPassphrase p = new TerminalPassphrase(tty.toFile(), (File t, boolean on) -> calls.add(on));
        assertArrayEquals("s3cr\u00e9t".toCharArray(), p.ask("account.key"));
        assertEquals(List.of(false, true), calls);
    }

    @Test
    void theReadBufferIsWiped() throws Exception {
        byte[] buf = new byte[64];
        char[] got = TerminalPassphrase.readLine(
                new ByteArrayInputStream("hunter2\nrest".getBytes(StandardCharsets.UTF_8)), "k", buf);
        assertArrayEquals("hunter2".toCharArray(), got);
        assertArrayEquals(new byte[64], buf);
    }

    @Test
    void tooLongIsRefusedAndWiped() {
        byte[] buf = new byte[4];
        assertThrows(AccountdException.class, () -> TerminalPassphrase.readLine(
                new ByteArrayInputStream("toolong\n".getBytes(StandardCharsets.UTF_8)), "k", buf));
        assertArrayEquals(new byte[4], buf);
    }
}
