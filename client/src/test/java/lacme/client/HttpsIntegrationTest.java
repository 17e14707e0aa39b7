package lacme.client;

import com.sun.net.httpserver.HttpServer;
import lacme.client.acme.AcmeConnection;
import lacme.testkit.Pebble;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS trust configuration against Pebble, and the headers every request carries (loopback only). */
class HttpsIntegrationTest {
    @Test
    void withoutTheCaFilePebbleIsNotTrusted() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(),
                        new Hello(pebble.directoryUrl().toString(), 30, true, null, null, null, false))) {
            Map<String, Object> r = c.account(true, true, false, List.of());
            assertEquals(false, r.get("ok"));
            String e = (String) r.get("error");
            assertTrue(e.startsWith("GET " + pebble.directoryUrl() + ": ") && e.contains("PKIX"), e);
        }
    }

    @Test
    void verificationCanBeTurnedOff() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(),
                        new Hello(pebble.directoryUrl().toString(), 30, false, null, null, null, false))) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
        }
    }

    @Test
    void tls13OnlyAndLacmeCipherListWork() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(),
                        new Hello(pebble.directoryUrl().toString(), 30, true, "SSLv23:!TLSv1_1:!TLSv1:!SSLv3:!SSLv2",
                                "EECDH+AESGCM:!MEDIUM:!LOW:!EXP:!aNULL:!eNULL", pebble.caPem(), false))) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
        }
    }

    @Test
    void userAgentAndAcceptLanguage() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/dir", ex -> {
            seen.put("ua", String.valueOf(ex.getRequestHeaders().getFirst("User-Agent")));
            seen.put("lang", String.valueOf(ex.getRequestHeaders().getFirst("Accept-Language")));
            byte[] b = FixtureDirectory.JSON.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
        TestAccountd acc = TestAccountd.rsa();
        try (AFUNIXSocketPair<AFUNIXSocketChannel> p = AFUNIXSocketPair.open()) {
            acc.start(Channels.newInputStream(p.getSocket2()), Channels.newOutputStream(p.getSocket2()));
            Hello h = new Hello("http://127.0.0.1:" + server.getAddress().getPort() + "/dir", 30, true, null, null,
                    null, false);
            try (AcmeConnection conn = ClientMain.connect(h, new BufferedInputStream(Channels.newInputStream(p.getSocket1())),
                    Channels.newOutputStream(p.getSocket1()), LoggerFactory.getLogger("t"))) {
                conn.directory();
            }
        } finally {
            server.stop(0);
        }
        assertEquals("lacme-client/" + ClientMain.VERSION, seen.get("ua"));
        assertEquals("en", seen.get("lang"));
    }

    /** A minimal directory. */
    static final class FixtureDirectory {
        static final String JSON = "{\"newNonce\":\"http://127.0.0.1/n\",\"newAccount\":\"http://127.0.0.1/a\","
                + "\"newOrder\":\"http://127.0.0.1/o\"}";
    }
}
