package lacme.webserver;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lacme.common.os.Fds;
import lacme.common.os.ListenAddress;
import lacme.common.os.Setpriv;
import org.slf4j.Logger;

/**
 * Standalone mode, the {@code lehttpd} use case: bind an address, serve a directory for a
 * while, exit 0. It exists so that any ACME client (certbot {@code --webroot}, acme.sh,
 * uacme hooks) can use this server without lacme. Started as root it binds (port 80 needs
 * it) and then serves from a child that runs unprivileged through setpriv, so it never
 * parses network input as root; the root parent only waits, stops the child at the
 * deadline or on SIGTERM, and removes the UNIX socket file it created.
 */
final class Standalone {
    private final Logger log;

    Standalone(Logger log) {
        this.log = log;
    }

    /**
     * Serves {@code dir} on {@code listen} for {@code seconds} (0: until SIGTERM) and
     * returns the exit status. As root, serves as {@code user}:{@code group}.
     */
    int run(String listen, Path dir, long seconds, String user, String group, List<String> args)
            throws IOException, InterruptedException, GeneralSecurityException {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir == null ? "--listen needs --dir" : "not a directory: " + dir);
        }
        if (seconds < 0) {
            throw new IllegalArgumentException("--timeout must be >= 0");
        }
        ListenAddress address = ListenAddress.parse(listen, args.contains(WebserverMain.TLS) ? 443 : 80);
        boolean root = WebserverMain.isRoot();
        Map<String, String> env = new HashMap<>();
        List<String> setpriv = null;
        if (root) {
            if (user.isEmpty()) {
                throw new IllegalArgumentException("refusing to serve as root: --user is empty");
            }
            if (group.isEmpty()) {
                throw new IllegalArgumentException("refusing to serve as root's group: --group is empty");
            }
            Setpriv drop = Setpriv.resolve(user, group);
            env.putAll(drop.environment());
            setpriv = drop.prefix();
            if (!Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                log.warn("{} is not searchable by others: {} may not read it", dir, user);
            }
        }
        Duration limit = seconds == 0 ? null : Duration.ofSeconds(seconds);
        ServerSocketChannel listener = address.bind();
        Path socketFile = address.unixPath();
        Runnable cleanup = () -> {
            try {
                if (socketFile != null) {
                    Files.deleteIfExists(socketFile);
                }
            } catch (IOException e) {
                log.warn("Couldn't unlink {}: {}", socketFile, e.getMessage());
            }
        };
        log.info("serving {} on {}{}", dir, socketFile != null ? socketFile
                : ListenAddress.describe(listener.getLocalAddress()), limit == null ? "" : " for " + seconds + " s");
        if (root) {
            FileDescriptor socket;
            try {
                socket = Fds.of(listener);
            } catch (IOException e) {
                cleanup.run();
                throw e;
            }
            Process child = Relauncher.start(socket, dir.toAbsolutePath(), setpriv, env, args);
            return Relauncher.supervise(child, limit, cleanup);
        }
        Closeable server = args.contains(WebserverMain.TLS) ? new AlpnServer(listener, dir, Limits.DEFAULT, log)
                : new ChallengeServer(listener, dir, Limits.DEFAULT, log);
        Runtime.getRuntime().addShutdownHook(new Thread(cleanup, "lacme-webserver-cleanup"));
        if (limit != null) {
            Thread timer = new Thread(() -> {
                try {
                    Thread.sleep(limit.toMillis());
                    server.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    log.warn("stopping: {}", e.getMessage());
                }
            }, "lacme-webserver-timeout");
            timer.setDaemon(true);
            timer.start();
        }
        if (server instanceof AlpnServer a) {
            a.serve();
        } else {
            ((ChallengeServer) server).serve();
        }
        return 0;
    }
}
