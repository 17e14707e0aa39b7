package lacme.master.spawn;

import lacme.common.config.Specifiers;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;

import java.io.File;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The challenge directory and the webservers that serve it. Sockets are bound here, as root
 * (port 80 is privileged), then each webserver gets its socket as fd 0 and the challenge
 * directory ({@link ChallengeDirectory}) as cwd, and runs unprivileged. With
 * {@code challenge-directory} an existing HTTP server is used instead: no webserver is spawned
 * and {@code listen}/{@code iptables} are ignored, as in lacme.
 */
public final class Webservers {
    /**
     * Listen backlog: lacme's 5 lets a handful of idle connections fill the queue while the
     * CA's validation requests arrive; 511 is the usual server default (nginx, Apache).
     */
    static final int BACKLOG = 511;

    private Webservers() {
    }

    /** Sets everything up and returns the challenge directory (the client's cwd). */
    public static Path start(Map<String, String> conf, String clientUser, boolean debug, Specifiers sp,
                             Spawner spawner, Cleanup cleanup, Logger log) throws Fatal {
        List<ListenAddress> addrs;
        try {
            addrs = ListenAddress.parseList(conf.get("listen"));
        } catch (IllegalArgumentException e) {
            throw new Fatal(e.getMessage());
        }
        if (conf.get("challenge-directory") != null) {
            return ChallengeDirectory.useExisting(conf.get("challenge-directory"), sp, cleanup, log);
        }
        if (addrs.isEmpty()) {
            throw new Fatal("'challenge-directory' option is required in section [webserver] when 'listen' is empty");
        }
        PrivDrop drop = PrivDrop.of(conf.get("user"), conf.get("group"));
        List<String> argv = Spawner.split(conf.get("command"), "webserver");
        if (debug) {
            argv.add("--debug");
        }
        Path dir = ChallengeDirectory.create(ChallengeDirectory.base(), clientUser, cleanup);
        // every address is bound before any webserver exists (DESIGN.md): a bind failure
        // stops the run before an unprivileged process has been started
        List<FileDescriptor> fds = new ArrayList<>();
        for (ListenAddress a : addrs) {
            try {
                fds.add(bind(a, cleanup, log));
            } catch (IOException e) {
                throw new Fatal("Couldn't bind to " + a.text() + ": " + e.getMessage());
            }
        }
        for (int i = 0; i < addrs.size(); i++) {
            try {
                spawner.start("ACME webserver bound to " + addrs.get(i).text(), drop, argv, dir,
                        Fds.redirect(fds.get(i)), ProcessBuilder.Redirect.DISCARD);
            } catch (IOException e) {
                throw new Fatal("Couldn't pass " + addrs.get(i).text() + " to the webserver: " + e.getMessage());
            }
        }
        if (conf.get("iptables").equalsIgnoreCase("yes")) {
            Firewall.open(addrs, cleanup, log);
        }
        return dir;
    }

    private static FileDescriptor bind(ListenAddress a, Cleanup cleanup, Logger log) throws IOException, Fatal {
        if (a.isUnix()) {
            File f = new File(a.unixPath());
            // junixsocket's bind replaces whatever is at the path (even a regular file); bind(2),
            // and lacme, fail instead — so must we, as root, or listen = /etc/passwd would delete it
            if (Files.exists(f.toPath(), LinkOption.NOFOLLOW_LINKS)) {
                throw new Fatal("Couldn't bind to " + a.text() + ": Address already in use");
            }
            AFUNIXServerSocketChannel ch = AFUNIXServerSocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            cleanup.add(ch::close);
            ch.bind(AFUNIXSocketAddress.of(f), BACKLOG);
            cleanup.add(() -> {
                log.debug("Unlinking {}", f);
                Files.deleteIfExists(f.toPath());
            });
            // anyone may connect: the reverse proxy in front of it runs as another user
            Files.setPosixFilePermissions(f.toPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
            return ch.getFileDescriptor();
        }
        // an IPv4 address needs an IPv4 socket; the JDK's IPv6 sockets are dual-stack
        ServerSocketChannel ch = ServerSocketChannel.open(a.inet().getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        cleanup.add(ch::close);
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.bind(a.inet(), BACKLOG);
        return Fds.of(ch);
    }
}
