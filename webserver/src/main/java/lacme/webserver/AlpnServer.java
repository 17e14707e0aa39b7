package lacme.webserver;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;

/**
 * The tls-alpn-01 responder (RFC 8737): completes a handshake with a CA that offers ALPN
 * {@code acme-tls/1} for a name with a challenge file, then closes; refuses every other
 * TLS client (see {@link AlpnTls}). It sends no application data and reads none.
 *
 * <p>Bounds, as for HTTP ({@link Limits}): each connection lives at most
 * {@link Limits#readTimeout()} from its accept (a watchdog closes it), and at most
 * {@link #SLOTS} handshakes run at once; at the bound the oldest is dropped to admit the
 * new one, so a client that opens connections and stays silent cannot lock the CA out
 * for longer than it keeps outpacing the deadline.
 */
final class AlpnServer implements Closeable {
    /** Concurrent handshakes (one thread each). */
    static final int SLOTS = 64;

    private final ServerSocketChannel listener;
    private final AlpnTls tls;
    private final SSLSocketFactory factory;
    private final Limits limits;
    private final Logger log;
    private final ExecutorService workers;
    private final ScheduledExecutorService watchdog;
    private final ArrayDeque<Socket> byAge = new ArrayDeque<>();
    private volatile boolean running = true;

    /** A responder for {@code listener} with challenge files in {@code dir} (empty path: the cwd). */
    AlpnServer(ServerSocketChannel listener, Path dir, Limits limits, Logger log) throws GeneralSecurityException {
        this.listener = listener;
        this.tls = new AlpnTls(new AlpnCertificates(new ChallengeFiles(dir, limits.maxFileSize())), log);
        this.factory = tls.context().getSocketFactory();
        this.limits = limits;
        this.log = log;
        this.workers = Executors.newFixedThreadPool(SLOTS, daemon("lacme-webserver-tls"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("lacme-webserver-deadline"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Serves on the calling thread until {@link #close()}. */
    void serve() throws IOException {
        listener.configureBlocking(true);
        try {
            while (running) {
                SocketChannel ch;
                try {
                    ch = listener.accept();
                } catch (IOException e) {
                    if (!running) {
                        break;
                    }
                    if (!dropOldest()) { // EMFILE and friends: free a slot or back off
                        log.warn("accept: {}", e.toString());
                        pause();
                    }
                    continue;
                }
                admit(ch.socket());
            }
        } finally {
            workers.shutdownNow();
            watchdog.shutdownNow();
            synchronized (byAge) {
                byAge.forEach(AlpnServer::quietClose);
            }
        }
    }

    private void admit(Socket plain) {
        synchronized (byAge) {
            byAge.removeIf(Socket::isClosed);
            if (byAge.size() >= SLOTS) {
                dropOldest();
            }
            byAge.addLast(plain);
        }
        watchdog.schedule(() -> quietClose(plain), limits.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        workers.execute(() -> handshake(plain));
    }

    private void handshake(Socket plain) {
        String peer = String.valueOf(plain.getRemoteSocketAddress());
        try (SSLSocket s = tls.configure((SSLSocket) factory.createSocket(plain, null, true))) {
            s.setSoTimeout((int) limits.readTimeout().toMillis());
            s.startHandshake();
            log.info("{}: tls-alpn-01 handshake completed", peer);
        } catch (IOException e) {
            log.debug("{}: {}", peer, e.toString());
        } finally {
            quietClose(plain);
            synchronized (byAge) {
                byAge.remove(plain);
            }
        }
    }

    private boolean dropOldest() {
        synchronized (byAge) {
            for (Socket s; (s = byAge.pollFirst()) != null;) {
                if (!s.isClosed()) {
                    log.info("{}: connection dropped (connection limit)", s.getRemoteSocketAddress());
                    quietClose(s);
                    return true;
                }
            }
            return false;
        }
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops {@link #serve()} from any thread; unlike {@link ChallengeServer} this closes the listener (it is blocked in accept). */
    @Override
    public void close() {
        running = false;
        try {
            listener.close();
        } catch (IOException e) {
            // serve() ends either way
        }
    }
}
