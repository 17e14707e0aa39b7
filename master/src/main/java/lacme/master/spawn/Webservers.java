package lacme.master.spawn;

import lacme.common.config.ConfigException;
import lacme.common.config.Passwd;
import lacme.common.config.Specifiers;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;

import java.io.File;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The challenge directory and the webservers that serve it. Sockets are bound here, as root,
 * before any child exists; each webserver gets its socket as fd 0 and the challenge directory
 * as cwd, and runs unprivileged. With {@code challenge-directory} an existing HTTP server is
 * used instead: the directory must be empty, is locked with a lock file, and is emptied on exit.
 */
public final class Webservers {
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
            return useExisting(conf.get("challenge-directory"), sp, cleanup, log);
        }
        if (addrs.isEmpty()) {
            throw new Fatal("'challenge-directory' option is required in section [webserver] when 'listen' is empty");
        }
        PrivDrop drop = PrivDrop.of(conf.get("user"), conf.get("group"));
        List<String> argv = Spawner.split(conf.get("command"), "webserver");
        if (debug) {
            argv.add("--debug");
        }
        Path dir = tempDir(clientUser, cleanup);
        for (ListenAddress a : addrs) {
            try {
                FileDescriptor fd = bind(a, cleanup, log);
                spawner.start("lacme-webserver " + a.text(), drop, argv, dir, Fds.redirect(fd),
                        ProcessBuilder.Redirect.DISCARD);
            } catch (IOException e) {
                throw new Fatal("Couldn't bind to " + a.text() + ": " + e.getMessage());
            }
        }
        if (conf.get("iptables").equalsIgnoreCase("yes")) {
            log.warn("iptables = Yes is not supported yet; no firewall rule was changed");
        }
        return dir;
    }

    private static FileDescriptor bind(ListenAddress a, Cleanup cleanup, Logger log) throws IOException {
        if (a.isUnix()) {
            File f = new File(a.unixPath());
            AFUNIXServerSocketChannel ch = AFUNIXServerSocketChannel.open();
            ch.bind(AFUNIXSocketAddress.of(f), 5);
            cleanup.add(() -> {
                log.debug("unlinking {}", f);
                Files.deleteIfExists(f.toPath());
            });
            cleanup.add(ch::close);
            // anyone may connect: the reverse proxy in front of it runs as another user
            Files.setPosixFilePermissions(f.toPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
            return ch.getFileDescriptor();
        }
        ServerSocketChannel ch = ServerSocketChannel.open(a.inet().getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        cleanup.add(ch::close);
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.bind(a.inet(), 5);
        return Fds.of(ch);
    }

    private static Path tempDir(String clientUser, Cleanup cleanup) throws Fatal {
        try {
            Path tmp = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"));
            Path dir = Files.createTempDirectory(tmp, "acme-challenge.");
            cleanup.add(() -> deleteTree(dir));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (clientUser != null && !clientUser.isEmpty()) {
                Passwd.User u = Passwd.user(clientUser)
                        .orElseThrow(() -> new Fatal("getpwnam(" + clientUser + "): no such user"));
                Files.setAttribute(dir, "unix:uid", (int) u.uid());
            }
            return dir;
        } catch (IOException e) {
            throw new Fatal("Couldn't create the challenge directory: " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private static Path useExisting(String configured, Specifiers sp, Cleanup cleanup, Logger log) throws Fatal {
        Path dir;
        try {
            dir = Path.of(sp.expand(configured));
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
        log.debug("Using existing webserver on {}", dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            if (ds.iterator().hasNext()) {
                throw new Fatal("Refusing to use non-empty challenge directory " + dir);
            }
        } catch (IOException e) {
            throw new Fatal("opendir(" + dir + "): " + e.getMessage());
        }
        Path lock = dir.resolve(".lacme.lock");
        try (OutputStream o = Files.newOutputStream(lock, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            o.write((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new Fatal("Can't create lockfile in challenge directory " + dir + ": " + e.getMessage());
        }
        cleanup.add(() -> {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                ds.forEach(files::add);
            }
            for (Path p : files) {
                if (!p.equals(lock)) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(lock); // last, so a concurrent run cannot start before we are done
        });
        return dir;
    }
}
