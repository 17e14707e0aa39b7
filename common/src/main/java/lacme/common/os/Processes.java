package lacme.common.os;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stopping processes, one rule for every program: SIGTERM, a grace period in which a child
 * may clean up (the webserver unlinks nothing, but accountd removes its socket and the client
 * closes its connections), then SIGKILL; every wait is bounded, so a child that ignores
 * signals can delay its parent by at most twice the grace period.
 */
public final class Processes {
    /** The grace period between SIGTERM and SIGKILL. */
    public static final Duration GRACE = Duration.ofSeconds(5);
    /** How often SIGTERM is repeated during the grace period (see {@link #stopAll}). */
    static final Duration RESEND = Duration.ofMillis(100);

    private Processes() {
    }

    /**
     * Stops {@code p} and waits (bounded) for it to be gone. Returns true when it needed
     * SIGKILL (callers log that: a child ignoring SIGTERM is worth a warning).
     */
    public static boolean stop(ProcessHandle p, Duration grace) {
        // a contained child (see Contain) is unshare's only child: unshare ignores SIGTERM,
        // the program must get it itself; SIGKILL to unshare then kills the whole namespace
        List<ProcessHandle> all = new java.util.ArrayList<>(p.children().toList());
        all.add(p);
        return stopAll(all, grace);
    }

    /**
     * As {@link #stop}, for processes signalled together and given one shared grace period.
     * SIGTERM is sent again every {@link #RESEND} while a process lives: a contained program
     * is the init of its PID namespace, and an init ignores signals it has no handler for —
     * a JVM stopped while still starting would ignore the first SIGTERM and cost the whole
     * grace period, then a SIGKILL (which unshare reports on stderr).
     */
    public static boolean stopAll(List<ProcessHandle> ps, Duration grace) {
        boolean killed = false;
        long deadline = System.nanoTime() + grace.toNanos();
        // which are our children, known while they live (a dead one's parent is not)
        java.util.Set<ProcessHandle> children = ProcessHandle.current().children()
                .collect(java.util.stream.Collectors.toSet());
        for (ProcessHandle p : ps) {
            boolean child = children.contains(p);
            while (p.isAlive() && deadline - System.nanoTime() > 0) {
                ps.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
                waitFor(p, child, Math.min(RESEND.toNanos(), Math.max(0, deadline - System.nanoTime())));
            }
            if (p.isAlive()) {
                p.destroyForcibly();
                waitFor(p, child, grace.toNanos());
                killed = true;
            }
        }
        return killed;
    }

    /**
     * Waits up to {@code nanos} for {@code p} to be gone. The JDK waits for its own children;
     * for any other process (a contained program is unshare's child, not ours) its onExit()
     * only looks every 300 ms or more, which held every run's end ~100 ms after the webserver
     * had exited (issue 12): such a process is looked at every few milliseconds instead.
     */
    private static boolean waitFor(ProcessHandle p, boolean child, long nanos) {
        if (!child) {
            long end = System.nanoTime() + nanos;
            long pause = 1;
            try {
                while (p.isAlive()) {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    Thread.sleep(Math.max(1, Math.min(pause, TimeUnit.NANOSECONDS.toMillis(left))));
                    pause = Math.min(pause * 2, 20);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !p.isAlive();
            }
        }
        try {
            p.onExit().get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }
}
