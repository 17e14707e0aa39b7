package lacme.accountd;

import lacme.common.io.Errno;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * accountd's listening UNIX socket. The socket file is the only access control (like
 * lacme-accountd: no abstract namespace), so it is created safely:
 * <ul>
 * <li>the parent directory must not be writable by group or others, and the path must not
 * exist;</li>
 * <li>Java cannot set the umask, so instead of bind-then-chmod (a window in which the socket
 * has the umask's mode) the socket is bound inside a fresh private directory
 * ({@code .lacme-XXXXXX}, mode 0700, next to the socket), set to 0600 there, and only then
 * hard-linked to its name &mdash; link(2) never replaces an existing file. The private name is
 * kept while serving because junixsocket checks, on every accept, that the bound path still
 * leads to the socket; both names are removed on exit.</li>
 * </ul>
 * Connections are served concurrently, one thread each, at most {@value #MAX_CONNECTIONS}
 * at a time: a further client waits in the listen backlog until a session ends. A
 * thread per connection is the simplest model for a blocking line protocol, and 64 covers
 * the parallel runs lacme's users have while bounding what a local client can tie up.
 */
public final class SocketServer implements Closeable {
    /** Sessions served at the same time; more clients wait in the backlog. */
    public static final int MAX_CONNECTIONS = 64;
    private static final int BACKLOG = 128;

    private final Path path;
    private final Path privateDir;
    private final Path boundPath;
    private final AccountLog log;
    private AFUNIXServerSocket server;
    private Object fileKey;
    private volatile boolean closed;

    private SocketServer(Path path, Path privateDir, AccountLog log) {
        this.path = path;
        this.privateDir = privateDir;
        this.boundPath = privateDir.resolve("s");
        this.log = log;
    }

    /** Creates the socket at {@code path} with mode 0600; it is removed on JVM exit. */
    public static SocketServer bind(Path path, AccountLog log) throws AccountdException {
        Path dir = path.toAbsolutePath().getParent();
        int mode;
        try {
            mode = (Integer) Files.getAttribute(dir, "unix:mode");
        } catch (IOException e) {
            throw new AccountdException("stat(" + dir + "): " + Errno.reason(e), e);
        }
        if ((mode & 0022) != 0) {
            throw new AccountdException("Insecure permissions on " + dir);
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new AccountdException("Can't bind to " + path + ": File exists (is lacme-accountd running?)");
        }
        log.verbose("Starting lacme Account Key Manager at " + path);
        Path priv;
        try {
            priv = Files.createDirectory(dir.resolve(".lacme-" + randomSuffix()),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new AccountdException("Can't create a directory in " + dir + ": " + Errno.reason(e), e);
        }
        SocketServer s = new SocketServer(path, priv, log);
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "lacme-accountd-cleanup"));
        try {
            s.server = AFUNIXServerSocket.newInstance();
            s.server.setDeleteOnClose(false);
            s.server.bind(AFUNIXSocketAddress.of(s.boundPath), BACKLOG);
            Files.setPosixFilePermissions(s.boundPath, PosixFilePermissions.fromString("rw-------"));
            Files.createLink(path, s.boundPath);
            s.fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (FileAlreadyExistsException e) {
            s.close();
            throw new AccountdException("Can't bind to " + path + ": File exists (is lacme-accountd running?)", e);
        } catch (IOException e) {
            s.close();
            throw new AccountdException("Can't bind to " + path + ": " + Errno.reason(e), e);
        }
        return s;
    }

    private static String randomSuffix() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** Accepts and serves connections until {@link #close()}; then returns normally. */
    public void serve(Session session) throws AccountdException {
        Semaphore slots = new Semaphore(MAX_CONNECTIONS);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lacme-accountd-conn-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            for (long count = 0;; count++) {
                slots.acquireUninterruptibly();
                AFUNIXSocket conn;
                try {
                    conn = server.accept();
                } catch (IOException e) {
                    slots.release();
                    if (closed) {
                        return;
                    }
                    throw new AccountdException("accept: " + e.getMessage(), e);
                }
                String id = Long.toString(count);
                pool.execute(() -> {
                    try {
                        handle(conn, session, id);
                    } finally {
                        slots.release();
                    }
                });
            }
        } finally {
            pool.shutdown();
        }
    }

    private void handle(AFUNIXSocket conn, Session session, String id) {
        try (conn) {
            log.verbose("[" + id + "] Accepted new connection from " + peer(conn));
            session.serve(new BufferedInputStream(conn.getInputStream()),
                    new BufferedOutputStream(conn.getOutputStream()), id);
        } catch (IOException | RuntimeException e) {
            log.info("[" + id + "] connection error: " + e.getMessage());
        }
        log.verbose("[" + id + "] Connection terminated");
    }

    private static String peer(AFUNIXSocket conn) {
        try {
            AFUNIXSocketCredentials c = conn.getPeerCredentials();
            return "uid=" + c.getUid() + " gid=" + c.getGid() + " pid=" + c.getPid();
        } catch (IOException e) {
            return "unknown peer (" + e.getMessage() + ")";
        }
    }

    /** Stops accepting and removes the socket file and the private directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            log.verbose("Shutting down and closing lacme Account Key Manager");
            try {
                server.close();
            } catch (IOException e) {
                log.info("Error: close: " + e.getMessage());
            }
        }
        try {
            if (fileKey != null && Objects.equals(fileKey,
                    Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey())) {
                log.debug("Unlinking " + path);
                Files.delete(path);
            }
        } catch (IOException e) {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                log.info("Error: unlink(" + path + "): " + Errno.reason(e));
            }
        }
        try {
            Files.deleteIfExists(boundPath);
            Files.deleteIfExists(privateDir);
        } catch (IOException e) {
            log.info("Error: can't remove " + privateDir + ": " + Errno.reason(e));
        }
    }

    /** The socket's path. */
    public Path path() {
        return path;
    }
}
