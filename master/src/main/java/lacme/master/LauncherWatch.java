package lacme.master;

import java.time.Duration;

/**
 * Ends the master as on SIGTERM when its launcher dies. {@code sbin/lacme} stays the JVM's
 * parent so that a signal at any instant ends the run with 1 (see that script); what the
 * caller (a timer, a shell, a service manager) waits for is that launcher. Killed outright
 * (SIGKILL, which it cannot forward), it would leave the master running unseen, installing
 * certificates after its caller was told the run had ended. The launcher names itself in
 * {@code LACME_LAUNCHER_PID}; the master watches its parent pid (the kernel reparents an
 * orphan at once) and, when it changes, exits through the shutdown hook, which cleans up and
 * halts with 1 exactly as on a signal. Polled, because Java's own {@code onExit()} of a
 * non-child polls with a delay that grows to seconds.
 */
final class LauncherWatch {
    static final String ENV = "LACME_LAUNCHER_PID";
    private static final Duration POLL = Duration.ofMillis(100);

    private LauncherWatch() {
    }

    /**
     * Starts watching when the parent is the launcher that named itself; otherwise (the JVM
     * started some other way, or the variable inherited from elsewhere) does nothing.
     */
    static void start() {
        long launcher;
        try {
            launcher = Long.parseLong(System.getenv().getOrDefault(ENV, ""));
        } catch (NumberFormatException e) {
            return;
        }
        if (parent() != launcher) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                while (parent() == launcher) {
                    Thread.sleep(POLL.toMillis());
                }
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("lacme: the launcher (pid " + launcher + ") is gone; stopping the run");
            Runtime.getRuntime().exit(1); // not Cleanup.exit: the hook cleans up as on a signal
        }, "lacme-launcher-watch");
        t.setDaemon(true);
        t.start();
    }

    private static long parent() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }
}
