package lacme.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a loopback server that makes the network flaky in
 * ways that leave no doubt whether a request got through: every {@code cutEvery}-th new
 * connection (and the next {@link #cutNext} ones) is reset as soon as it is accepted —
 * before the TLS handshake, so no request was sent — and a forwarded connection idle for
 * {@code idleMillis} is closed, as a server's keep-alive timeout does.
 */
final class CuttingProxy implements AutoCloseable {
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger cut = new AtomicInteger();
    /** New connections still to reset, whatever {@code cutEvery} says. */
    final AtomicInteger cutNext = new AtomicInteger();
    private final ServerSocket server;
    private final int targetPort;
    private final int cutEvery;
    private final int idleMillis;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    CuttingProxy(int targetPort, int cutEvery, int idleMillis) throws IOException {
        this.targetPort = targetPort;
        this.cutEvery = cutEvery;
        this.idleMillis = idleMillis;
        server = new ServerSocket(0, 32, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return;
            }
            int n = accepted.incrementAndGet();
            boolean forced = cutNext.getAndUpdate(x -> Math.max(0, x - 1)) > 0;
            if (forced || (cutEvery > 0 && n % cutEvery == 1 % cutEvery)) {
                cut.incrementAndGet();
                try {
                    c.setSoLinger(true, 0); // RST: the client sees a reset, as from a dying load balancer
                    c.close();
                } catch (IOException e) {
                    // gone
                }
                continue;
            }
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", targetPort), 5000);
                open.add(c);
                open.add(s);
                long[] last = {System.nanoTime()};
                pump(c, s, last);
                pump(s, c, last);
            } catch (IOException e) {
                close(c);
            }
        }
    }

    private void pump(Socket from, Socket to, long[] last) throws IOException {
        from.setSoTimeout(50);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (true) {
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (SocketTimeoutException e) {
                        if (idleMillis > 0 && System.nanoTime() - last[0] > idleMillis * 1_000_000L) {
                            break;
                        }
                        continue;
                    }
                    if (n < 0) {
                        break;
                    }
                    last[0] = System.nanoTime();
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                close(from);
                close(to);
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            close(s);
        }
    }
}
