package lacme.client;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Serves {@code /.well-known/acme-challenge/<token>} from a directory, as the webserver does. */
final class ChallengeServer implements AutoCloseable {
    private final HttpServer server;
    final AtomicInteger hits = new AtomicInteger();

    ChallengeServer(int port, Path dir) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/.well-known/acme-challenge/", ex -> {
            String token = ex.getRequestURI().getPath().substring("/.well-known/acme-challenge/".length());
            Path f = dir.resolve(token);
            hits.incrementAndGet();
            if (!token.matches("[A-Za-z0-9_-]+") || !Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            byte[] b = Files.readAllBytes(f);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
