package lacme.master;

import lacme.common.os.Processes;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything the master must undo before it exits — children to stop, temporary directories,
 * sockets, firewall rules — run in reverse order of registration exactly once, whether the
 * run ends normally, by an error, or by SIGINT/SIGTERM. This is how "no stray process, temp
 * dir, socket or firewall rule" is kept on every path.
 *
 * <p>Signals: the JVM turns SIGINT/SIGTERM/SIGHUP into a shutdown, during which the main
 * thread keeps running. The shutdown hook therefore (1) marks the run as {@link #signalled()}
 * so the main thread stays quiet about the errors the cleanup provokes, (2) runs every action,
 * (3) stops any descendant that escaped registration, and (4) halts with status 1, as lacme
 * does ({@code $SIG{INT,TERM} = sub { exit 1 }}); otherwise the JVM would exit 130/143.
 * Work that must not be torn in half by a signal — spawning a child and registering its stop
 * action, inserting firewall rules after saving them — runs under {@link #guard}, which the
 * cleanup waits for and which refuses to start once the cleanup has begun.
 */
public final class Cleanup {
    /** One undo action. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** A step run under {@link #guard}. */
    @FunctionalInterface
    public interface Guarded<T> {
        T run() throws Fatal;
    }

    private static volatile boolean exitRequested;
    /** How long a child's exit waits for a signal to the whole process group to reach the master. */
    private static final Duration SETTLE = Duration.ofMillis(300);

    private final Deque<Action> actions = new ArrayDeque<>();
    private volatile Logger log;
    private boolean done;
    private volatile boolean signalled;
    private volatile boolean aborted;
    private volatile boolean hooked;
    /** The main thread is reporting the run's failure: a child's exit is then its business. */
    private boolean reporting;

    public Cleanup(Logger log) {
        this.log = log;
    }

    /**
     * A cleanup for the master's first instant, before logging is set up ({@link #log(Logger)}
     * comes later): its shutdown hook must be in place before anything else runs, or a signal
     * in the first few hundred milliseconds ends the JVM with 143/130 instead of lacme's 1.
     */
    public Cleanup() {
        this(null);
    }

    /** The logger to report cleanup failures with, once logging is set up. */
    public void log(Logger l) {
        this.log = l;
    }

    /** Registers an action; it runs before every action registered earlier. */
    public synchronized void add(Action a) {
        if (done) {
            runOne(a);
            return;
        }
        actions.push(a);
    }

    /**
     * Runs {@code step} atomically with respect to the cleanup: the cleanup waits until it is
     * over, and once the cleanup has started the step is refused (the run is being torn down).
     */
    public synchronized <T> T guard(Guarded<T> step) throws Fatal {
        if (done) {
            throw new Fatal("interrupted");
        }
        return step.run();
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

    /** Runs every registered action, then stops stray descendants (idempotent). */
    public synchronized void runAll() {
        done = true;
        while (!actions.isEmpty()) {
            runOne(actions.pop());
        }
        stopStrays();
    }

    /** What the shutdown hook does on a signal, before it halts (tests call it directly). */
    void onSignal() {
        signalled = true;
        runAll();
    }

    /**
     * True once a signal (or {@link #failOnExit}) has started the shutdown: errors seen
     * afterwards are its doing, and the main thread stays quiet about them.
     */
    public boolean signalled() {
        return signalled || aborted;
    }

    /**
     * Claims the report of the run's failure for the main thread: false when a signal or
     * {@link #failOnExit} has spoken (or will be quiet) already, so that exactly one of them
     * says why the run ended, never both (e.g. a dead accountd before its greeting).
     */
    public synchronized boolean claimReport() {
        if (signalled || aborted) {
            return false;
        }
        reporting = true;
        return true;
    }

    /** True once a signal, and only a signal, has started the shutdown. */
    public boolean bySignal() {
        return signalled;
    }

    /**
     * Ends the run with status 1 and the one line "{@code what} exited (status N)" as soon as
     * {@code child} exits while the run is still going (an exit the cleanup itself causes is
     * expected and ignored): a child the master cannot do without, e.g. a webserver whose
     * listening socket the master holds open, so that its death would otherwise surface only
     * when the CA gives up. Cleans up first, as on a signal. Only in the real master (the
     * shutdown hook installed): a test JVM is never halted.
     */
    public void failOnExit(Process child, String what) {
        failOnExit(child, what, status -> false);
    }

    /**
     * As {@link #failOnExit(Process, String)}, except that an exit whose status is
     * {@code expected} is left to the main thread (e.g. accountd's 0 once the client is done
     * with it, or its 255 after its own error line).
     */
    public void failOnExit(Process child, String what, java.util.function.IntPredicate expected) {
        if (!hooked) {
            return;
        }
        child.onExit().thenRun(() -> {
            try {
                // a Ctrl-C reaches the children too: let the master's own signal handling win
                Thread.sleep(SETTLE.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (done || signalled || reporting || expected.test(child.exitValue())) {
                    return;
                }
                aborted = true;
            }
            String m = what + " exited (status " + child.exitValue() + ")";
            Logger l = log;
            if (l != null) {
                l.error("{}", m);
            } else {
                System.err.println("lacme: " + m);
            }
            runAll();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(1);
        });
    }

    private void runOne(Action a) {
        try {
            a.run();
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            Logger l = log;
            if (l != null) {
                l.warn("cleanup: {}", m);
            } else {
                System.err.println("lacme: cleanup: " + m);
            }
        }
    }

    /**
     * The safety net behind the registered actions: any process still descending from the
     * master (e.g. a notify command running when the signal came) gets SIGTERM, then SIGKILL.
     */
    private void stopStrays() {
        List<ProcessHandle> strays = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .collect(Collectors.toList());
        if (strays.isEmpty()) {
            return;
        }
        Logger l = log;
        if (l != null) {
            l.debug("stopping stray process(es) {}", strays.stream().map(p -> Long.toString(p.pid()))
                    .collect(Collectors.joining(" ")));
        }
        Processes.stopAll(strays, Processes.GRACE);
    }

    /**
     * Installs the JVM shutdown hook that handles SIGINT/SIGTERM (see the class comment). A
     * normal exit goes through {@link #exit}, which the hook recognises and leaves alone.
     */
    public void installShutdownHook() {
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (exitRequested) {
                return;
            }
            onSignal();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }, "lacme-cleanup"));
    }

    /** Exits the JVM with {@code status} after a run that has cleaned up. */
    public static void exit(int status) {
        exitRequested = true;
        System.out.flush();
        System.exit(status);
    }
}
