package lacme.webserver;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import lacme.common.Version;
import lacme.common.cli.LongOptions;
import lacme.common.log.Logging;
import lacme.common.os.Fds;
import org.slf4j.Logger;

/**
 * lacme's challenge webserver ({@code /usr/libexec/lacme/webserver}), also usable on its
 * own. It exists as a separate, unprivileged process so that the only code facing the
 * internet during validation holds nothing but read access to the challenge files.
 *
 * <ul>
 * <li>Managed: {@code webserver [--debug]} with a listening socket (TCP or UNIX) on fd 0
 * and the challenge directory as cwd, as lacme's master spawns it; serves until SIGTERM
 * (exit status 143, nothing logged) or until its parent process is gone. Also systemd
 * socket activation ({@code StandardInput=socket}: fd 0 as above; otherwise
 * {@code LISTEN_FDS}: fd 3, served by a child process since Java cannot move a
 * descriptor) and lacme 0.8.2's calling convention ({@code webserver FD},
 * {@code DEBUG=1}).</li>
 * <li>Standalone: {@code lacme-webserver --listen ADDR[:PORT] --dir DIR [--timeout S]}
 * binds, serves DIR for S seconds (default 60; 0: until SIGTERM) and exits 0. Started as
 * root it binds first, then serves from a child run as {@code --user}/{@code --group}
 * (default {@code _lacme-www:nogroup}) through setpriv; it never serves as root.</li>
 * </ul>
 */
public final class WebserverMain {
    /** The option that makes this a tls-alpn-01 responder instead of an HTTP server. */
    static final String TLS = "--tls-alpn";

    /** The command line; a small parser of our own, not picocli (start-up CPU, issue 12). */
    private static final LongOptions OPTIONS = new LongOptions().flag("--debug").flag(TLS)
            .value("--listen").value("--dir").value("--timeout").value("--user").value("--group")
            .flag("--help", "-h").flag("--version").operands(1);

    boolean debug;
    boolean tls;
    String listen;
    Path dir;
    long timeout;
    String user;
    String group;
    Integer fd;

    private Logger log;

    /** How long a SIGTERM waits for the serving loop to end (it takes milliseconds). */
    private static final long STOP_WAIT_MS = 1000;

    /** Runs the webserver; see the class comment for the modes. */
    public static void main(String[] args) throws Exception {
        WebserverMain w = new WebserverMain();
        LongOptions.Parsed o;
        try {
            o = OPTIONS.parse(args);
            w.listen = o.value("--listen", null);
            w.dir = o.has("--dir") ? Path.of(o.value("--dir", null)) : null;
            w.timeout = o.number("--timeout", 60);
            w.user = o.value("--user", "_lacme-www");
            w.group = o.value("--group", "nogroup");
            w.fd = o.operands().isEmpty() ? null : parseFd(o.operands().get(0));
        } catch (IllegalArgumentException e) { // also InvalidPathException
            System.err.println("lacme-webserver: " + LongOptions.shown(e.getMessage()));
            System.err.println("Try 'lacme-webserver --help' for more information.");
            System.exit(2);
            return;
        }
        if (o.has("--help")) {
            System.out.write(WebserverMain.class.getResourceAsStream("help.txt").readAllBytes());
            System.out.flush();
            System.exit(0);
        }
        if (o.has("--version")) {
            System.out.println("lacme-webserver (lacme for Java) " + Version.VERSION);
            System.exit(0);
        }
        w.debug = o.has("--debug");
        w.tls = o.has(TLS);
        System.exit(w.call());
    }

    /** The FD operand: a descriptor number. */
    private static int parseFd(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new LongOptions.UsageException("Invalid value for FD: '" + LongOptions.shown(s) + "' is not a descriptor number");
        }
    }

    /** Serves in the mode the options chose; the exit status. */
    int call() throws Exception {
        debug |= "1".equals(System.getenv("DEBUG"));
        log = Logging.init("lacme-webserver", debug ? Logging.DEBUG : Logging.NORMAL);
        try {
            if (listen != null) {
                return new Standalone(log).run(listen, dir, timeout, user, group, childArgs());
            }
            if (dir != null) {
                throw new IllegalArgumentException("--dir needs --listen");
            }
            if (fd != null && fd != 0) {
                return relaunch(fd);
            }
            Channel in = System.inheritedChannel();
            if (in instanceof ServerSocketChannel listener) {
                return managed(listener); // also systemd with StandardInput=socket
            }
            String pid = System.getenv("LISTEN_PID");
            if (pid != null && pid.equals(Long.toString(ProcessHandle.current().pid()))
                    && !"0".equals(System.getenv("LISTEN_FDS"))) {
                return relaunch(3); // systemd socket activation: the first socket is fd 3
            }
            throw new IOException("fd 0 is not a listening socket");
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            log.error("{}", e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
    }

    /** Serves fd 0 from the cwd until SIGTERM, or until the parent process is gone. */
    private int managed(ServerSocketChannel listener) throws IOException, GeneralSecurityException {
        if (tls) {
            AlpnServer alpn = new AlpnServer(listener, Path.of(""), Limits.DEFAULT, log);
            stopWithParent(alpn);
            log.debug("answering tls-alpn-01 on {} from {}", listener.getLocalAddress(), Path.of("").toAbsolutePath());
            alpn.serve();
            return 0;
        }
        ChallengeServer server = new ChallengeServer(listener, Path.of(""), Limits.DEFAULT, log);
        stopWithParent(server);
        // SIGTERM (the master's stop): end serve() before the JVM halts. HotSpot's exit waits
        // up to 300 ms for threads in native code, and serve()'s thread sits in epoll_wait:
        // every run of lacme paid those 300 ms between "Shutting down" and its exit (issue 12).
        CountDownLatch served = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            try {
                served.await(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lacme-webserver-stop"));
        log.debug("serving {} from {}", listener.getLocalAddress(), Path.of("").toAbsolutePath());
        try {
            server.serve();
        } finally {
            served.countDown();
        }
        return 0;
    }

    /** Stops {@code server} when the parent process is gone (the master died without cleaning up). */
    private void stopWithParent(java.io.Closeable server) {
        ProcessHandle.current().parent().filter(p -> p.pid() > 1).ifPresent(p ->
                p.onExit().thenRun(() -> {
                    log.info("parent process {} is gone, stopping", p.pid());
                    try {
                        server.close();
                    } catch (IOException e) {
                        // exiting anyway
                    }
                }));
    }

    /** The options a relaunched child gets. */
    private List<String> childArgs() {
        List<String> a = new java.util.ArrayList<>();
        if (debug) {
            a.add("--debug");
        }
        if (tls) {
            a.add(TLS);
        }
        return a;
    }

    /** Serves a socket that is not on fd 0 by running managed mode with it as fd 0. */
    private int relaunch(int n) throws IOException, InterruptedException {
        FileDescriptor socket = Fds.inherited(n);
        log.debug("serving descriptor {} through a child process", n);
        Process child = Relauncher.start(socket, Path.of("").toAbsolutePath(), List.of(), null, childArgs());
        return Relauncher.supervise(child, null, () -> { });
    }

    /** Whether the effective uid is 0 (from /proc: the JDK does not expose it). */
    static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0");
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }
}
