package lacme.webserver;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lacme.common.os.Contain;
import lacme.common.os.Fds;
import lacme.common.os.Processes;

/**
 * Starts this program again as a child serving a socket on its fd 0 (managed mode), and
 * supervises it. Java can neither fork nor {@code dup2}, so this is how a socket that is
 * not already on fd 0 gets there: a socket this process bound as root (standalone mode,
 * the child runs unprivileged through {@code setpriv}), systemd's fd 3, or the FD number
 * lacme 0.8.2 passes as an argument. The socket becomes the child's stdin through
 * {@link Fds#redirect}; {@link ProcessBuilder} closes every other descriptor in the child.
 */
final class Relauncher {
    private Relauncher() {
    }

    /** The command line that runs this JVM's main class again, with this JVM's options. */
    static List<String> javaCommand() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        String main = WebserverMain.class.getName();
        List<String> cmd = new ArrayList<>();
        cmd.add(info.command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        List<String> args = info.arguments().map(List::of).orElse(List.of());
        int i = args.indexOf(main);
        if (i >= 0) {
            cmd.addAll(args.subList(0, i));
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
        }
        cmd.add(main);
        return cmd;
    }


    /**
     * Starts {@code prefix + this program args} in {@code dir} with {@code socket} as
     * its fd 0 and stderr shared with this process. {@code env} edits the environment
     * (null: inherit it, minus systemd's socket-activation variables).
     */
    static Process start(FileDescriptor socket, Path dir, List<String> prefix,
            Map<String, String> env, List<String> args) throws IOException {
        // contained as the master's webserver (own session, PID namespace, no network), see Contain
        List<String> cmd = new ArrayList<>(Contain.OFFLINE.prefix());
        cmd.addAll(prefix);
        cmd.addAll(javaCommand());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(Fds.redirect(socket))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> e = pb.environment();
        if (env != null) {
            e.clear();
            e.putAll(env);
        }
        e.remove("LISTEN_PID");
        e.remove("LISTEN_FDS");
        e.remove("LISTEN_FDNAMES");
        return pb.start();
    }

    /**
     * Waits for the child, at most {@code timeout} (null: until it exits), then stops it.
     * A SIGTERM to this process stops the child too. {@code cleanup} runs once, last,
     * however this process ends. Returns the exit status to use: 0 after the timeout,
     * else the child's.
     */
    static int supervise(Process child, Duration timeout, Runnable cleanup)
            throws InterruptedException {
        Runnable once = new Runnable() {
            private boolean done;

            @Override
            public synchronized void run() {
                if (!done) {
                    done = true;
                    stop(child);
                    cleanup.run();
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(once, "lacme-webserver-stop"));
        boolean exited = timeout == null ? child.waitFor() != Integer.MIN_VALUE
                : child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        int rc = exited ? child.exitValue() : 0;
        once.run();
        return rc;
    }

    private static void stop(Process p) {
        if (p.isAlive()) {
            Processes.stop(p.toHandle(), Processes.GRACE);
        }
    }
}
