package lacme.master.spawn;

import lacme.common.text.Sanitize;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Relays a child's stderr to the master's, line by line: each line sanitised (no control
 * character, so no escape sequence reaches root's terminal; length capped) and prefixed by
 * the child's name, so a compromised child can neither forge another role's line nor write
 * raw bytes to the terminal. A daemon thread: a grandchild holding the pipe open cannot keep
 * the master alive.
 */
final class StderrRelay {
    /**
     * What util-linux's {@code unshare} (in front of every contained child, lacme.common.os.Contain)
     * says when its child died by SIGKILL: it cannot re-raise SIGKILL on itself (signal(2)
     * refuses SIG_DFL for it) and exits 1 with this line. It tells nothing the master does not
     * report itself (the child's exit), so it is dropped rather than shown as noise beside the
     * run's one-line cause (issue 15). Any other line of unshare's is relayed.
     */
    static final String UNSHARE_SIGKILL_NOISE = "unshare: sigprocmask unblock failed: Invalid argument";
    /** Longest relayed line; a child's log line is far shorter. */
    static final int MAX_LINE = 4096;

    private StderrRelay() {
    }

    static void start(String name, InputStream err) {
        start(name, err, System.err);
    }

    static Thread start(String name, InputStream err, PrintStream to) {
        Thread t = new Thread(() -> relay(name, err, to), "stderr-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void relay(String name, InputStream err, PrintStream to) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String clean = Sanitize.line(line, MAX_LINE);
                if (!clean.isEmpty() && !clean.equals(UNSHARE_SIGKILL_NOISE)) {
                    synchronized (to) {
                        to.println(name + ": " + clean);
                    }
                }
            }
        } catch (IOException e) {
            // the pipe broke: the child is gone, nothing left to relay
        }
    }
}
