package lacme.client.acme;

import lacme.client.ControlLoop;
import lacme.client.RequestHandler;
import lacme.common.proto.ControlCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static lacme.client.acme.FakeCa.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 4: orders run concurrently with a bounded number in flight. A scripted CA hands
 * out one order per newOrder and counts the orders between their newOrder and their
 * certificate download; each download waits until the bound could have been reached, and
 * a little longer, so a pool wider than the bound shows up as a higher count.
 */
class ParallelOrdersTest {
    private static final String ACCT = FakeCa.BASE + "/acct/1";
    private static final Pattern FINALIZE = Pattern.compile("/order/(\\d+)/finalize");
    private static final Pattern CERT = Pattern.compile("/cert/(\\d+)");
    private static final int ORDERS = 9;

    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("acme-parallel-");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String order(int n, String status) {
        return "{\"status\":\"" + status + "\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"h" + n + ".example\"}],"
                + "\"authorizations\":[],\"finalize\":\"" + FakeCa.BASE + "/order/" + n + "/finalize\""
                + (status.equals("valid") ? ",\"certificate\":\"" + FakeCa.BASE + "/cert/" + n + "\"" : "") + "}";
    }

    @ParameterizedTest(name = "max_parallel {0}")
    @ValueSource(ints = {1, 3, 4})
    void atMostMaxParallelOrdersAreInFlight(int parallel) throws Exception {
        FakeCa ca = new FakeCa();
        ca.on("POST", "/new-acct", json(200, "account.json").header("Location", ACCT));
        AtomicInteger numbers = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        ca.responder = s -> {
            if (s.path().equals("/new-order")) {
                int n = numbers.incrementAndGet();
                max.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                return new FakeCa.Resp(201, "application/json", order(n, "ready"),
                        Map.of("Location", FakeCa.BASE + "/order/" + n));
            }
            Matcher f = FINALIZE.matcher(s.path());
            if (f.matches()) {
                return new FakeCa.Resp(200, "application/json", order(Integer.parseInt(f.group(1)), "valid"), Map.of());
            }
            if (CERT.matcher(s.path()).matches()) {
                long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (max.get() < Math.min(parallel, ORDERS) && System.nanoTime() < end) {
                    Thread.onSpinWait();
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                try {
                    Thread.sleep(100); // time for an order beyond the bound to start, if the pool allowed one
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inFlight.decrementAndGet();
                return FakeCa.pem("chain.pem");
            }
            return null;
        };
        AcmeConnection conn = new AcmeConnection(ca, URI.create(FakeCa.BASE + "/dir"), ca.accountKey(null));
        RequestHandler handler = new RequestHandler(new AcmeClient(conn, null, dir, Duration.ofSeconds(30),
                Poller.Clock.SYSTEM), false);

        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int i = 1; i <= ORDERS; i++) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("op", "order");
            o.put("id", i);
            o.put("section", "s" + i);
            o.put("identifiers", List.of(Map.of("type", "dns", "value", "h" + i + ".example")));
            o.put("csr", "MAMCAQE");
            ControlCodec.write(frames, o);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ControlLoop(new ByteArrayInputStream(frames.toByteArray()), out, handler, parallel).run();

        List<Map<String, Object>> results = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        Map<String, Object> r;
        while ((r = ControlCodec.read(in)) != null) {
            results.add(r);
        }
        Set<Long> ids = new TreeSet<>();
        for (Map<String, Object> x : results) {
            assertEquals(true, x.get("ok"), String.valueOf(x));
            ids.add(((Number) x.get("id")).longValue());
        }
        assertEquals(ORDERS, results.size(), "one answer per order");
        assertEquals(ORDERS, ids.size());
        assertEquals(parallel, max.get(), "orders in flight at once");
        assertEquals(ORDERS, ca.to("/new-order").size());
        assertEquals(1, ca.to("/new-acct").size(), "the account URL is looked up once for all orders");
    }
}
