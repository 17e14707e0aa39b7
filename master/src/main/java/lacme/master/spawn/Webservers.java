package lacme.master.spawn;

import lacme.common.config.ConfigException;
import lacme.common.config.Passwd;
import lacme.common.config.Specifiers;
import lacme.common.os.Fds;
import lacme.common.os.ListenAddress;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.slf4j.Logger;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The challenge directory and the webservers that serve it. Sockets are bound here, as root
 * (port 80 is privileged), then each webserver gets its socket as fd 0 and the challenge
 * directory as cwd, and runs unprivileged. The temporary directory is owned by the client
 * user (who writes the challenge files) and world-readable (the webserver only reads); it is
 * removed on exit without following anything the client may have planted in it. With
 * {@code challenge-directory} an existing HTTP server is used instead: the directory must be
 * empty, is locked with a mode-0600 lock file, and is emptied on exit; no webserver is spawned
 * and {@code listen}/{@code iptables} are ignored, as in lacme.
 */
public final class Webservers {
    /** The lock file lacme creates in a configured challenge directory. */
    static final String LOCK = ".lacme.lock";

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
        // every address is bound before any webserver exists (DESIGN.md): a bind failure
        // stops the run before an unprivileged process has been started
        List<FileDescriptor> fds = new ArrayList<>();
        List<ListenAddress> bound = new ArrayList<>();
        for (ListenAddress a : addrs) {
            try {
                Map.Entry<ListenAddress, FileDescriptor> b = bind(a, cleanup, log);
                bound.add(b.getKey());
                fds.add(b.getValue());
            } catch (IOException e) {
                throw new Fatal(e.getMessage());
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
            Firewall.open(bound, cleanup, log);
        }
        return dir;
    }

    /**
     * Binds one address as root (see {@link ListenAddress#bind}); the socket and its file are
     * removed by the cleanup. Returns the bound address (a port 0 becomes the kernel's pick,
     * which the firewall rules must name) and the socket's descriptor.
     */
    private static Map.Entry<ListenAddress, FileDescriptor> bind(ListenAddress a, Cleanup cleanup, Logger log)
            throws IOException {
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

    /**
     * Removes the temporary directory and everything the (untrusted) client left in it,
     * through descriptors of the opened directories (SecureDirectoryStream): a symbolic link
     * is deleted, never followed, and a directory swapped for a link cannot redirect root.
     */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            if (!(ds instanceof SecureDirectoryStream<Path> sds)) {
                throw new IOException("no SecureDirectoryStream on this platform");
            }
            emptyDir(sds);
        }
        Files.delete(dir);
    }

    private static void emptyDir(SecureDirectoryStream<Path> dir) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path p : dir) {
            names.add(p.getFileName());
        }
        for (Path name : names) {
            BasicFileAttributes attrs = dir.getFileAttributeView(name, BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
            if (attrs.isDirectory()) {
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    emptyDir(sub);
                }
                dir.deleteDirectory(name);
            } else {
                dir.deleteFile(name);
            }
        }
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
        Path lock = dir.resolve(LOCK);
        try (SeekableByteChannel o = Files.newByteChannel(lock,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            o.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new Fatal("Can't create lockfile in challenge directory " + dir + ": " + e.getMessage());
        }
        cleanup.add(() -> {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                ds.forEach(files::add);
            }
            for (Path p : files) {
                try {
                    if (!p.equals(lock)) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    log.warn("unlink({}): {}", p, e.toString());
                }
            }
            Files.deleteIfExists(lock); // last, so a concurrent run cannot start before we are done
        });
        return dir;
    }
}
