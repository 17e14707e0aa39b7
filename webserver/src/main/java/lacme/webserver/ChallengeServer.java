package lacme.webserver;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The challenge webserver's event loop: one selector thread accepts and reads request
 * heads on every connection, so an idle or slow client costs a slot and a deadline,
 * never a thread, and cannot delay anyone else (lacme's single accept-then-read loop is
 * stalled by one idle connection). Each connection lives at most
 * {@link Limits#readTimeout()} from its accept; at {@link Limits#maxConnections()} the
 * oldest connection is dropped to admit the new one, so a flood has to outpace the
 * deadline to matter. Files are read on a small pool (see {@link ChallengeFiles} for
 * why). Responses are written without blocking, then the connection is half-closed and
 * drained briefly so that a peer that pipelined gets the response rather than a reset.
 *
 * <p>The listening channel belongs to the caller and is not closed here.
 */
public final class ChallengeServer implements Closeable {
    private static final int FILE_THREADS = 4;

    private enum State { READING, PENDING, WRITING, LINGER }

    private final ServerSocketChannel listener;
    private final ChallengeFiles files;
    private final Limits limits;
    private final Logger log;
    private final Selector selector;
    private final ThreadPoolExecutor pool;
    private final ByteBuffer scratch;
    /** Open connections in accept order, which is also deadline order. */
    private final ArrayDeque<Conn> byAge = new ArrayDeque<>();
    /** Work handed back to the selector thread by the file pool. */
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private int open;

    /**
     * A server for {@code listener} (a bound, listening TCP or UNIX-domain channel)
     * serving challenge files from {@code dir} (the empty path for the working directory).
     */
    public ChallengeServer(ServerSocketChannel listener, Path dir, Limits limits, Logger log)
            throws IOException {
        this.listener = listener;
        this.files = new ChallengeFiles(dir, limits.maxFileSize());
        this.limits = limits;
        this.log = log;
        this.selector = listener.provider().openSelector();
        this.pool = new ThreadPoolExecutor(FILE_THREADS, FILE_THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "lacme-webserver-file");
                    t.setDaemon(true);
                    return t;
                });
        this.scratch = ByteBuffer.allocateDirect(Math.max(limits.maxHead(), 16384));
    }

    /** Serves on the calling thread until {@link #close()} is called. */
    public void serve() throws IOException {
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        try {
            while (running) {
                selector.select(expire(System.nanoTime()));
                for (Runnable r; (r = completions.poll()) != null;) {
                    r.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.channel() == listener) {
                        accept();
                    } else {
                        ((Conn) k.attachment()).ready(k);
                    }
                }
            }
        } finally {
            for (Conn c : byAge) {
                c.close();
            }
            pool.shutdownNow();
            selector.close();
        }
    }

    /** Stops {@link #serve()}; callable from any thread. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
    }

    /** Expires connections past their deadline; returns the select timeout in ms. */
    private long expire(long now) {
        while (!byAge.isEmpty()) {
            Conn c = byAge.peekFirst();
            if (c.closed) {
                byAge.pollFirst();
            } else if (c.deadline - now > 0) {
                return TimeUnit.NANOSECONDS.toMillis(c.deadline - now) + 1;
            } else {
                byAge.pollFirst();
                c.expire();
            }
        }
        return 0;
    }

    private void accept() {
        for (int i = 0; i < 256; i++) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                // EMFILE and friends: free a slot, or back off if there is none to free
                if (!evictOldest(e.toString())) {
                    log.warn("accept: {}", e.toString());
                    pause();
                }
                return;
            }
            if (ch == null) {
                return;
            }
            if (open >= limits.maxConnections()) {
                evictOldest("connection limit");
            }
            Conn c = new Conn(ch, System.nanoTime() + limits.readTimeout().toNanos());
            open++;
            try {
                ch.configureBlocking(false);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
            } catch (IOException e) {
                c.close();
                continue;
            }
            byAge.addLast(c);
            if (byAge.size() > 2 * limits.maxConnections() + 1024) {
                byAge.removeIf(x -> x.closed);
            }
        }
    }

    private boolean evictOldest(String why) {
        for (Conn c; (c = byAge.pollFirst()) != null;) {
            if (!c.closed) {
                log.info("{}: connection dropped ({})", c.peer, why);
                c.close();
                return true;
            }
        }
        return false;
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String peerOf(SocketChannel ch) {
        try {
            SocketAddress a = ch.getRemoteAddress();
            if (a instanceof InetSocketAddress i) {
                return "[" + i.getAddress().getHostAddress() + "]:" + i.getPort();
            }
            return "unix";
        } catch (IOException e) {
            return "?";
        }
    }

    /** One connection; touched by the selector thread only. */
    private final class Conn {
        final SocketChannel ch;
        final long deadline;
        final String peer;
        SelectionKey key;
        State state = State.READING;
        RequestHead head;
        RequestHead.Verdict verdict;
        ByteBuffer out;
        int drained;
        boolean closed;

        Conn(SocketChannel ch, long deadline) {
            this.ch = ch;
            this.deadline = deadline;
            this.peer = peerOf(ch);
        }

        void ready(SelectionKey k) {
            try {
                if (k.isReadable() && state == State.READING) {
                    read();
                } else if (k.isReadable() && state == State.LINGER) {
                    drain();
                }
                if (!closed && k.isWritable() && state == State.WRITING) {
                    write();
                }
            } catch (IOException e) {
                log.debug("{}: {}", peer, e.toString());
                close();
            }
        }

        private void read() throws IOException {
            if (head == null) {
                head = new RequestHead(limits);
            }
            scratch.clear().limit(head.room());
            int n = ch.read(scratch);
            if (n < 0) {
                log.debug("{}: closed by the peer before a complete request", peer);
                close();
            } else if (n > 0) {
                RequestHead.Verdict v = head.offer(scratch.flip());
                if (v != null) {
                    dispatch(v);
                }
            }
        }

        private void dispatch(RequestHead.Verdict v) {
            verdict = v;
            head = null;
            if (v.status() != RequestHead.SERVE) {
                respond(v.status(), null);
                return;
            }
            state = State.PENDING;
            key.interestOps(0);
            try {
                pool.execute(() -> {
                    ChallengeFiles.Result r = files.load(v.token());
                    completions.add(() -> respond(r.status(), r.body()));
                    selector.wakeup();
                });
            } catch (RejectedExecutionException e) {
                respond(503, null);
            }
        }

        private void respond(int status, byte[] body) {
            if (closed) {
                return;
            }
            if (status == 200) {
                log.debug("{} \"{} {}\" {}", peer, verdict.method(), verdict.target(), status);
            } else {
                log.info("{} \"{} {}\" {}", peer, verdict.method(), verdict.target(), status);
            }
            out = Responses.build(status, body, verdict.isHead());
            state = State.WRITING;
            try {
                write();
            } catch (IOException e) {
                log.debug("{}: {}", peer, e.toString());
                close();
            }
        }

        private void write() throws IOException {
            ch.write(out);
            if (out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            out = null;
            ch.shutdownOutput();
            state = State.LINGER;
            key.interestOps(SelectionKey.OP_READ);
        }

        private void drain() throws IOException {
            scratch.clear();
            int n = ch.read(scratch);
            if (n < 0 || (drained += n) > limits.maxDrain()) {
                close();
            }
        }

        void expire() {
            if (state == State.READING) {
                if (head != null) {
                    log.info("{}: no complete request within {} s, closed", peer,
                            limits.readTimeout().toSeconds());
                    try {
                        ch.write(Responses.build(408, null, true));
                    } catch (IOException e) {
                        // best effort
                    }
                } else {
                    log.debug("{}: idle for {} s, closed", peer, limits.readTimeout().toSeconds());
                }
            } else if (state == State.PENDING) {
                log.info("{}: challenge file not read in time, closed", peer);
            }
            close();
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            open--;
            head = null;
            out = null;
            if (key != null) {
                key.cancel();
            }
            try {
                ch.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }
}
