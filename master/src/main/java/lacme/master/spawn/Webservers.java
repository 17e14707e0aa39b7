package lacme.master.spawn;

import lacme.common.config.Specifiers;
import lacme.common.os.Contain;
import lacme.common.os.Fds;
import lacme.common.os.ListenAddress;
import lacme.common.os.StaleSocket;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.slf4j.Logger;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The challenge directory and the webservers that serve it. Sockets are bound here, as root
 * (port 80 is privileged), then each webserver gets its socket as fd 0 and the challenge
 * directory ({@link ChallengeDirectory}) as cwd, and runs unprivileged. With
 * {@code challenge-directory} an existing HTTP server is used instead: no webserver is spawned
 * and {@code listen}/{@code iptables} are ignored, as in lacme.
 *
 * <p>{@code listen-tls} (not in lacme; empty by default, so nothing new listens with an
 * unchanged configuration): addresses (default port 443) on which a webserver started with
 * {@code --tls-alpn} answers tls-alpn-01 from the same challenge directory. It is never
 * bound implicitly: 443 is usually held by the site's own HTTPS server, and a run that
 * fails to bind is worse than one that asks for the setting. Ignored, like {@code listen},
 * with {@code challenge-directory}.
 */
public final class Webservers {

    /** {@code listen-tls}'s default port (RFC 8737: the CA connects to 443). */
    static final int TLS_PORT = 443;
    /** The webserver's option for the tls-alpn-01 responder (lacme.webserver.WebserverMain). */
    static final String TLS_OPTION = "--tls-alpn";

    private Webservers() {
    }

    /** Sets everything up and returns the challenge directory (the client's cwd). */
    public static Path start(Map<String, String> conf, String clientUser, boolean debug, Specifiers sp,
                             Spawner spawner, Cleanup cleanup, Logger log) throws Fatal {
        Path dir = directory(conf, clientUser, sp, cleanup, log);
        serve(conf, dir, debug, spawner, cleanup, log);
        return dir;
    }

    /**
     * The challenge directory alone (the client's cwd): {@code challenge-directory}, else a
     * fresh one removed by the cleanup. Separate from {@link #serve} because newOrder starts
     * the client first (issue 13: it asks for renewal windows) and binds sockets and starts
     * webservers only once something is due.
     */
    public static Path directory(Map<String, String> conf, String clientUser, Specifiers sp, Cleanup cleanup,
                                 Logger log) throws Fatal {
        if (conf.get("challenge-directory") != null) {
            return ChallengeDirectory.useExisting(conf.get("challenge-directory"), sp, cleanup, log);
        }
        return ChallengeDirectory.create(ChallengeDirectory.base(), clientUser, cleanup);
    }

    /** Binds the listening sockets and starts a webserver on each, serving {@code dir} (nothing with challenge-directory). */
    public static void serve(Map<String, String> conf, Path dir, boolean debug, Spawner spawner, Cleanup cleanup,
                             Logger log) throws Fatal {
        List<ListenAddress> addrs;
        List<ListenAddress> tls;
        try {
            addrs = ListenAddress.parseList(conf.get("listen"));
            tls = ListenAddress.parseList(conf.getOrDefault("listen-tls", ""), TLS_PORT);
        } catch (IllegalArgumentException e) {
            throw new Fatal(e.getMessage());
        }
        if (conf.get("challenge-directory") != null) {
            return;
        }
        if (addrs.isEmpty() && tls.isEmpty()) {
            throw new Fatal("'challenge-directory' option is required in section [webserver] when 'listen' is empty");
        }
        PrivDrop drop = PrivDrop.of(conf.get("user"), conf.get("group"));
        List<String> argv = Spawner.split(conf.get("command"), "webserver");
        if (debug) {
            argv.add("--debug");
        }
        List<String> tlsArgv = new ArrayList<>(argv);
        tlsArgv.add(TLS_OPTION);
        List<ListenAddress> all = new ArrayList<>(addrs);
        all.addAll(tls);
        // every address is bound before any webserver exists (DESIGN.md): a bind failure
        // stops the run before an unprivileged process has been started
        List<FileDescriptor> fds = new ArrayList<>();
        List<ListenAddress> bound = new ArrayList<>();
        for (ListenAddress a : all) {
            try {
                Map.Entry<ListenAddress, FileDescriptor> b = bind(a, cleanup, log);
                bound.add(b.getKey());
                fds.add(b.getValue());
            } catch (IOException e) {
                throw new Fatal(e.getMessage());
            }
        }
        for (int i = 0; i < all.size(); i++) {
            boolean isTls = i >= addrs.size();
            String what = (isTls ? "tls-alpn-01 responder bound to " : "ACME webserver bound to ") + all.get(i).text();
            try {
                Spawner.Child c = spawner.start(what, drop, Contain.OFFLINE, isTls ? tlsArgv : argv, dir,
                        Fds.redirect(fds.get(i)), ProcessBuilder.Redirect.DISCARD);
                // the master keeps the listening socket: without this, the CA's validation
                // would hang until the CA gives up (issue 15)
                cleanup.failOnExit(c.process(), "the webserver for " + all.get(i).text());
            } catch (IOException e) {
                throw new Fatal("Couldn't pass " + all.get(i).text() + " to the webserver: " + e.getMessage());
            }
        }
        if (conf.get("iptables").equalsIgnoreCase("yes")) {
            Firewall.open(bound, cleanup, log);
        }
    }

    /**
     * Binds one address as root (see {@link ListenAddress#bind}); the socket and its file are
     * removed by the cleanup. Returns the bound address (a port 0 becomes the kernel's pick,
     * which the firewall rules must name) and the socket's descriptor.
     */
    private static Map.Entry<ListenAddress, FileDescriptor> bind(ListenAddress a, Cleanup cleanup, Logger log)
            throws IOException {
        if (a.isUnix() && StaleSocket.removeIfDead(a.unixPath())) {
            log.warn("Removed {}, the socket of an earlier run that died without cleaning up", a.unixPath());
        }
        ServerSocketChannel ch = a.bind();
        cleanup.add(ch::close);
        if (a.isUnix()) {
            Path f = a.unixPath();
            cleanup.add(() -> {
                log.debug("Unlinking {}", f);
                Files.deleteIfExists(f);
            });
            return Map.entry(a, Fds.of(ch));
        }
        ListenAddress bound = new ListenAddress(a.text(), ch.getLocalAddress());
        log.debug("Bound {}", bound);
        return Map.entry(bound, Fds.of(ch));
    }
}
