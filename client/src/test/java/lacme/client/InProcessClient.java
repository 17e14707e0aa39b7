package lacme.client;

import lacme.client.acme.AcmeClient;
import lacme.client.acme.AcmeConnection;
import lacme.client.acme.Poller;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.ControlCodec;
import lacme.testkit.Pebble;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The client's ACME logic in the test JVM, wired as ClientMain wires it (hello settings,
 * accountd greeting over a socketpair, RequestHandler), against a Pebble fixture, with a
 * challenge directory served on Pebble's http-01 port.
 */
final class InProcessClient implements AutoCloseable {
    final Path challengeDir;
    final TestAccountd accountd;
    final AcmeConnection conn;
    final AcmeClient client;
    final RequestHandler handler;
    final ChallengeServer web;
    private final AFUNIXSocketPair<AFUNIXSocketChannel> pair;
    private int nextId;

    InProcessClient(Pebble pebble, TestAccountd accountd, long timeoutSeconds) throws Exception {
        this(pebble, accountd, new Hello(pebble.directoryUrl().toString(), timeoutSeconds, true, null, null,
                pebble.caPem(), true));
    }

    InProcessClient(Pebble pebble, TestAccountd accountd, Hello hello) throws Exception {
        long timeoutSeconds = hello.timeout();
        this.accountd = accountd;
        challengeDir = Files.createTempDirectory("lacme-challenges-");
        pair = AFUNIXSocketPair.open();
        accountd.start(pair.getSocket2().socket().getInputStream(), pair.getSocket2().socket().getOutputStream());
        conn = ClientMain.connect(hello, new BufferedInputStream(pair.getSocket1().socket().getInputStream()),
                pair.getSocket1().socket().getOutputStream(), LoggerFactory.getLogger("lacme-client"));
        client = new AcmeClient(conn, conn.key().kid(), challengeDir, Duration.ofSeconds(timeoutSeconds),
                Poller.Clock.SYSTEM);
        handler = new RequestHandler(client, true);
        web = new ChallengeServer(pebble.httpPort(), challengeDir);
    }

    Map<String, Object> account(boolean register, boolean tos, boolean deactivate, List<String> contacts) {
        Map<String, Object> f = frame("account");
        f.put("register", register);
        f.put("tos_agreed", tos);
        f.put("deactivate", deactivate);
        f.put("contacts", contacts);
        return handle(f);
    }

    Map<String, Object> order(String section, String csr, String... names) {
        Map<String, Object> f = frame("order");
        f.put("section", section);
        List<Map<String, Object>> ids = new java.util.ArrayList<>();
        for (String n : names) {
            ids.add(Map.of("type", "dns", "value", n));
        }
        f.put("identifiers", ids);
        f.put("csr", csr);
        return handle(f);
    }

    Map<String, Object> revoke(String certB64, Integer reason) {
        Map<String, Object> f = frame("revoke");
        f.put("certificate", certB64);
        if (reason != null) {
            f.put("reason", reason);
        }
        return handle(f);
    }

    /** Passes a raw frame through the codec to the handler, and its result back as a raw frame. */
    private Map<String, Object> handle(Map<String, Object> f) {
        try {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            ControlCodec.write(b, f);
            java.io.ByteArrayOutputStream r = new java.io.ByteArrayOutputStream();
            ControlCodec.writeResult(r, handler.handle(ControlCodec.readRequest(new java.io.ByteArrayInputStream(
                    b.toByteArray()))));
            return ControlCodec.read(new java.io.ByteArrayInputStream(r.toByteArray()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Map<String, Object> frame(String op) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("op", op);
        f.put("id", ++nextId);
        return f;
    }

    @Override
    public void close() throws java.io.IOException {
        web.close();
        conn.close();
        pair.close();
        try (Stream<Path> s = Files.walk(challengeDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
