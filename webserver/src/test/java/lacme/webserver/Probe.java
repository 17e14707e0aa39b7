package lacme.webserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal HTTP client for the tests: sends raw bytes (from a separate thread, so that a
 * request larger than the socket buffers cannot deadlock) and reads until the server
 * closes. Records whether the connection ended with a reset.
 */
final class Probe {
    final String raw;
    final boolean reset;
    final long nanos;

    private Probe(String raw, boolean reset, long nanos) {
        this.raw = raw;
        this.reset = reset;
        this.nanos = nanos;
    }

    static Probe send(SocketAddress addr, byte[] request) throws IOException, InterruptedException {
        return send(addr, request, 5000);
    }

    static Probe send(SocketAddress addr, String request) throws IOException, InterruptedException {
        return send(addr, request.getBytes(StandardCharsets.ISO_8859_1), 5000);
    }

    static Probe send(SocketAddress addr, byte[] request, int timeoutMs)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        try (SocketChannel ch = SocketChannel.open(addr)) {
            // channel reads and writes, not Channels streams: those share one lock
            Thread writer = new Thread(() -> {
                try {
                    ByteBuffer out = ByteBuffer.wrap(request);
                    while (out.hasRemaining()) {
                        ch.write(out);
                    }
                    if (request.length == 0) {
                        ch.shutdownOutput(); // a client that connects and leaves
                    }
                } catch (IOException e) {
                    // the server may close before reading everything
                }
            });
            writer.setDaemon(true);
            writer.start();
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(timeoutMs);
                    ch.close();
                } catch (InterruptedException | IOException e) {
                    // done in time
                }
            });
            watchdog.setDaemon(true);
            watchdog.start();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean reset = false;
            ByteBuffer b = ByteBuffer.allocate(8192);
            try {
                while (ch.read(b.clear()) >= 0) {
                    got.write(b.array(), 0, b.position());
                }
            } catch (AsynchronousCloseException e) {
                throw new SocketTimeoutException("no end of response within " + timeoutMs + " ms: "
                        + got.toString(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                reset = true;
            } finally {
                watchdog.interrupt();
            }
            writer.join(5000);
            return new Probe(got.toString(StandardCharsets.ISO_8859_1), reset, System.nanoTime() - t0);
        }
    }

    /** The status code, or -1 when no status line arrived. */
    int status() {
        if (!raw.startsWith("HTTP/1.1 ") || raw.length() < 12) {
            return -1;
        }
        return Integer.parseInt(raw.substring(9, 12));
    }

    Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        int end = raw.indexOf("\r\n\r\n");
        for (String line : raw.substring(0, end).split("\r\n")) {
            int c = line.indexOf(':');
            if (c > 0) {
                h.put(line.substring(0, c).toLowerCase(), line.substring(c + 1).trim());
            }
        }
        return h;
    }

    String body() {
        return raw.substring(raw.indexOf("\r\n\r\n") + 4);
    }

    /** Number of responses in the stream (to check that pipelining gets exactly one). */
    int responses() {
        return raw.split("HTTP/1\\.1 \\d{3} ", -1).length - 1;
    }

    @Override
    public String toString() {
        return (reset ? "[reset] " : "") + raw.replace("\r\n", "\\r\\n");
    }
}
