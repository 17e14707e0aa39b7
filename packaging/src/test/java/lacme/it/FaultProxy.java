package lacme.it;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP endpoint on 127.0.0.1 that the test puts between lacme's client and Pebble as the
 * ACME server, and turns into a broken CA at will: {@link Mode#RELAY} passes every byte on to
 * Pebble (its TLS, its certificate); the fault modes answer each new connection themselves —
 * an HTTP 500 problem document over TLS, nothing at all after accept, or a completed TLS
 * handshake and then silence. The fault modes' TLS uses a certificate for IP 127.0.0.1 made
 * here with openssl ({@link #certificate()}, to be trusted beside Pebble's CA).
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { RELAY, ANSWER_500, SILENT, TLS_SILENT }

    private static final String PROBLEM = "{\"type\":\"urn:ietf:params:acme:error:serverInternal\","
            + "\"detail\":\"injected by the test's proxy\",\"status\":500}";
    private final ServerSocket server;
    private final int upstream;
    private final SSLContext tls;
    private final Path certificate;
    private final List<Closeable> open = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Mode mode = Mode.RELAY;

    private FaultProxy(int upstream, SSLContext tls, Path certificate) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstream = upstream;
        this.tls = tls;
        this.certificate = certificate;
        daemon(this::acceptLoop);
    }

    /** A proxy to 127.0.0.1:{@code upstream}; its key and certificate are made in {@code dir}. */
    static FaultProxy start(int upstream, Path dir) throws Exception {
        Dist.openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "proxy.key", "-out", "proxy.pem", "-days", "2", "-subj", "/CN=lacme test proxy",
                "-addext", "subjectAltName=IP:127.0.0.1");
        Dist.openssl(dir, "pkcs12", "-export", "-inkey", "proxy.key", "-in", "proxy.pem", "-out", "proxy.p12",
                "-passout", "pass:proxy");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("proxy.p12"))) {
            ks.load(in, "proxy".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "proxy".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new FaultProxy(upstream, ctx, dir.resolve("proxy.pem"));
    }

    int port() {
        return server.getLocalPort();
    }

    /** The PEM certificate the fault modes present. */
    Path certificate() {
        return certificate;
    }

    /** How new connections are answered from now on. */
    void mode(Mode m) {
        mode = m;
    }

    /** Connections accepted so far. */
    int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                keep(s);
                Mode m = mode;
                daemon(() -> serve(s, m));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, Mode m) {
        try {
            switch (m) {
                case RELAY -> {
                    Socket up = new Socket(InetAddress.getLoopbackAddress(), upstream);
                    keep(up);
                    daemon(() -> pump(up, s));
                    pump(s, up);
                }
                case SILENT -> {
                    // accepted, never read, never answered: the client's timeout must end it
                }
                case TLS_SILENT -> keep(handshake(s));
                case ANSWER_500 -> {
                    SSLSocket t = handshake(s);
                    readHead(t.getInputStream());
                    byte[] body = PROBLEM.getBytes(StandardCharsets.UTF_8);
                    OutputStream out = t.getOutputStream();
                    out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/problem+json\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    t.close();
                }
                default -> throw new IllegalStateException();
            }
        } catch (IOException e) {
            // the client went away: nothing to do
        }
    }

    private SSLSocket handshake(Socket s) throws IOException {
        SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), true);
        t.setUseClientMode(false);
        t.startHandshake();
        return t;
    }

    /** Reads a request head (to its empty line); the body, if any, is left unread. */
    private static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && head.size() < 65536) {
            head.write(c);
            if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // either side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private synchronized void keep(Closeable c) {
        open.add(c);
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public synchronized void close() throws IOException {
        server.close();
        for (Closeable c : open) {
            try {
                c.close();
            } catch (IOException e) {
                // closing the rest
            }
        }
        open.clear();
    }
}
