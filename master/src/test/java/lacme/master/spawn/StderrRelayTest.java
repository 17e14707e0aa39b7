package lacme.master.spawn;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A child's stderr reaches root's terminal sanitised and prefixed by the child's name; unshare's
 * line after a child's SIGKILL is dropped.
 */
class StderrRelayTest {
    @Test
    void escapesAndForgedLinesAreDefused() throws Exception {
        String hostile = "\u001b]0;owned\u0007[INFO] lacme - all fine\u001b[2K\r\n\n"
                + "unshare: sigprocmask unblock failed: Invalid argument\n" + "x".repeat(5000) + "\n";
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream to = new PrintStream(sink, true, StandardCharsets.UTF_8);
        StderrRelay.start("lacme-client", new ByteArrayInputStream(hostile.getBytes(StandardCharsets.UTF_8)), to)
                .join(5000);
        String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertEquals("lacme-client: ]0;owned [INFO] lacme - all fine [2K", lines[0]);
        assertEquals("lacme-client: " + "x".repeat(StderrRelay.MAX_LINE) + "...", lines[1]);
    }
}
