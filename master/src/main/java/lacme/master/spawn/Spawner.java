package lacme.master.spawn;

import lacme.common.os.Contain;
import lacme.common.os.Fds;
import lacme.common.os.Processes;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;
import org.slf4j.Logger;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the master's children — accountd, webservers, client — through {@link PrivDrop}
 * with an explicit cwd and a clean environment, and registers each with {@link Cleanup} so
 * that it is stopped (SIGTERM, then SIGKILL after a grace period) on every exit path. Starting
 * and registering happen under {@link Cleanup#guard}, so a SIGTERM arriving in between can
 * neither orphan the child nor let a child start after the cleanup has run.
 */
public final class Spawner {
    private final Cleanup cleanup;
    private final Logger log;

    public Spawner(Cleanup cleanup, Logger log) {
        this.cleanup = cleanup;
        this.log = log;
    }

    /** The cleanup children are registered with. */
    Cleanup cleanup() {
        return cleanup;
    }

    /** A started child and the action that stops it. */
    public record Child(String name, Process process, Cleanup.Action stop) {
        public long pid() {
            return process.pid();
        }
    }

    /** Splits a configured command on white space, as lacme does; an empty one is an error. */
    public static List<String> split(String command, String what) throws Fatal {
        List<String> argv = new ArrayList<>(Arrays.asList(command.trim().split("\\s+")));
        if (command.isBlank()) {
            throw new Fatal("Empty " + what + " command");
        }
        return argv;
    }

    /** A child whose stdin and stdout are one end of a socketpair, and the master's end. */
    public record Paired(Child child, AFUNIXSocketChannel mine) {
    }

    /**
     * Starts a child on a fresh AF_UNIX socketpair (its fd 0 and 1) — how accountd --stdio and
     * the client are spawned. The master keeps one end, closed by the cleanup; its copy of the
     * child's end is closed as soon as the child has it, so the child's death is an EOF here.
     */
    public Paired startOnSocketpair(String name, PrivDrop drop, Contain contain, List<String> argv,
                                    Map<String, String> extraEnv, Path cwd) throws Fatal {
        AFUNIXSocketPair<AFUNIXSocketChannel> pair;
        try {
            pair = AFUNIXSocketPair.open();
        } catch (IOException e) {
            throw new Fatal("socketpair: " + e.getMessage());
        }
        AFUNIXSocketChannel mine = pair.getSocket1();
        cleanup.add(() -> AccountdLink.closeIfOpen(mine));
        try (Fds.Duplex stdio = Fds.duplex(pair.getSocket2().getFileDescriptor())) {
            return new Paired(start(name, drop, contain, argv, extraEnv, cwd, stdio.in, stdio.out), mine);
        } catch (IOException e) {
            throw new Fatal("Couldn't pass a socket to " + name + ": " + e.getMessage());
        }
    }

    /**
     * Starts a child.
     *
     * @param argv the program and its arguments (without the privilege-drop prefix)
     * @param in   its stdin
     * @param out  its stdout; stderr is a pipe the master relays ({@link StderrRelay})
     */
    public Child start(String name, PrivDrop drop, Contain contain, List<String> argv, Path cwd,
                       ProcessBuilder.Redirect in, ProcessBuilder.Redirect out) throws Fatal {
        return start(name, drop, contain, argv, Map.of(), cwd, in, out);
    }

    /**
     * As above, with variables added to the clean environment (e.g. GPG_TTY for accountd).
     * The child starts contained ({@link Contain}: own PID namespace, own session unless the
     * caller keeps the terminal, no network if asked) and then drops its privileges.
     */
    public Child start(String name, PrivDrop drop, Contain contain, List<String> argv, Map<String, String> extraEnv,
                       Path cwd, ProcessBuilder.Redirect in, ProcessBuilder.Redirect out) throws Fatal {
        ProcessBuilder pb = builder(drop, contain, argv, extraEnv, cwd, in, out);
        return cleanup.guard(() -> {
            Process p = startLogged(name, drop, contain, argv, pb);
            Cleanup.Action stop = () -> stop(name, p);
            cleanup.add(stop);
            return new Child(name, p, stop);
        });
    }

    /**
     * Runs a short command to completion, bounded by {@code timeoutMillis} (then killed).
     * With {@code teardown} false it is an ordinary step (a dns-hook's add): started under the
     * cleanup's guard, so it is refused once the run is being torn down, and its kill is
     * registered, so a signal stops it before the actions registered earlier (its removal) run.
     * With {@code teardown} true it is a step the cleanup itself takes (a dns-hook's removal):
     * started outside the guard, which would refuse it, and not registered.
     *
     * @return its exit status, or -1 when it timed out
     */
    public int runBounded(String name, PrivDrop drop, Contain contain, List<String> argv, Map<String, String> extraEnv,
                          Path cwd, long timeoutMillis, boolean teardown) throws Fatal, InterruptedException {
        ProcessBuilder.Redirect devNull = ProcessBuilder.Redirect.to(new File("/dev/null"));
        ProcessBuilder pb = builder(drop, contain, argv, extraEnv, cwd, ProcessBuilder.Redirect.from(new File("/dev/null")),
                devNull);
        Process p;
        Cleanup.Action kill = null;
        if (teardown) {
            p = startLogged(name, drop, contain, argv, pb);
        } else {
            Process[] started = new Process[1];
            kill = () -> kill(started[0]);
            Cleanup.Action k = kill;
            p = cleanup.guard(() -> {
                started[0] = startLogged(name, drop, contain, argv, pb);
                cleanup.add(k);
                return started[0];
            });
        }
        try {
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                kill(p);
                return -1;
            }
            return p.exitValue();
        } finally {
            if (kill != null) {
                cleanup.runNow(kill);
            }
            stop(name, p);
        }
    }

    /**
     * Kills a bounded step at once, not asking: a contained program is the init of its PID
     * namespace and ignores a SIGTERM it has no handler for (a shell or python3 hook), which
     * would only add a grace period and unshare's complaints on stderr; SIGKILL to unshare
     * kills the whole namespace (--kill-child).
     */
    private static void kill(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(Processes.GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ProcessBuilder builder(PrivDrop drop, Contain contain, List<String> argv, Map<String, String> extraEnv,
                                   Path cwd, ProcessBuilder.Redirect in, ProcessBuilder.Redirect out) throws Fatal {
        String denied = drop.cannotRun(argv.get(0), cwd);
        if (denied != null) {
            throw new Fatal(denied);
        }
        List<String> full = new ArrayList<>(contain.prefix());
        full.addAll(drop.prefix());
        full.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(full);
        pb.environment().clear();
        pb.environment().putAll(drop.environment());
        pb.environment().putAll(extraEnv);
        pb.directory(new File(cwd.toString()));
        pb.redirectInput(in);
        pb.redirectOutput(out);
        // a child in a session of its own must not get root's terminal as its stderr either:
        // what it says goes through a pipe, one sanitised line at a time, prefixed by its name
        pb.redirectError(contain.session() ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT);
        return pb;
    }

    private Process startLogged(String name, PrivDrop drop, Contain contain, List<String> argv, ProcessBuilder pb)
            throws Fatal {
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Fatal("Couldn't start " + name + " (" + argv.get(0) + "): " + e.getMessage());
        }
        log.debug("Forking {} as {}, child PID {}", name, drop, p.pid());
        if (contain.session()) {
            StderrRelay.start(name, p.getErrorStream());
        }
        return p;
    }

    /** Waits for a child to exit by itself, then forgets its stop action; returns its status. */
    public int waitFor(Child c, long timeoutMillis) throws InterruptedException {
        if (!c.process().waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            cleanup.runNow(c.stop());
            return -1;
        }
        cleanup.runNow(c.stop());
        return c.process().exitValue();
    }

    /**
     * {@link Processes#stop}. A child's own exit status is only logged (at debug level): the
     * webserver exits 143 on SIGTERM by design, and after SIGINT on a terminal every child has
     * died of the same signal.
     */
    private void stop(String name, Process p) {
        if (p.isAlive()) {
            log.debug("Shutting down {} (pid {})", name, p.pid());
            if (Processes.stop(p.toHandle(), Processes.GRACE)) {
                log.warn("{} (pid {}) ignored SIGTERM, killed it", name, p.pid());
            }
        }
        if (!p.isAlive() && p.exitValue() != 0 && p.exitValue() != 143) {
            log.debug("{} (pid {}) exited with status {}", name, p.pid(), p.exitValue());
        }
    }
}
