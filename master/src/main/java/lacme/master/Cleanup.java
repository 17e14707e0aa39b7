package lacme.master;

import org.slf4j.Logger;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything the master must undo before it exits — children to stop, temporary directories,
 * sockets, firewall rules — run in reverse order of registration exactly once, whether the
 * run ends normally, by an error, or by SIGINT/SIGTERM (through a shutdown hook). This is how
 * "no stray process, temp dir, socket or firewall rule" is kept on every path.
 */
public final class Cleanup {
    /** One undo action. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private final Deque<Action> actions = new ArrayDeque<>();
    private final Logger log;
    private boolean done;

    public Cleanup(Logger log) {
        this.log = log;
    }

    /** Registers an action; it runs before every action registered earlier. */
    public synchronized void add(Action a) {
        if (done) {
            runOne(a);
            return;
        }
        actions.push(a);
    }

    /** Runs and forgets one action now, if it is still registered. */
    public void runNow(Action a) {
        synchronized (this) {
            if (!actions.remove(a)) {
                return;
            }
        }
        runOne(a);
    }

    /** Runs every registered action (idempotent). */
    public synchronized void runAll() {
        done = true;
        while (!actions.isEmpty()) {
            runOne(actions.pop());
        }
    }

    private void runOne(Action a) {
        try {
            a.run();
        } catch (Exception e) {
            log.warn("cleanup: {}", e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Installs a JVM shutdown hook so SIGINT/SIGTERM also clean up. */
    public void installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::runAll, "lacme-cleanup"));
    }
}
