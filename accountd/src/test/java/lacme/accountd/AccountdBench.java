package lacme.accountd;

import lacme.common.proto.AccountdCodec;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for the issue-3 benchmark: N connections opened at once to an accountd
 * socket (ours or Perl's), M signatures each, with an optional <em>think time</em> before
 * each signature. Measures signatures per second (all signatures / time until the last
 * connection completed), per-signature latency p50/p99 (request written to signature read,
 * think time excluded), how long connections waited for the greeting (connect to greeting:
 * the time a one-connection-at-a-time daemon keeps a client queued), and when the last
 * connection completed.
 *
 * <p>Think time models a real ACME client: it holds its accountd connection for its whole
 * session and signs between HTTP round trips to the CA (new nonce, POST, poll), so between
 * two signatures the connection is idle for a network round trip or more. A daemon that
 * serves one connection at a time (lacme-accountd 0.8.2) makes every other client wait
 * through all of that idle time; a concurrent one does not. Zero think time measures raw
 * signing throughput instead.
 *
 * <p>Driven by {@link AccountdBenchmarkTest}; also runnable alone:
 * {@code AccountdBench SOCKET CONNECTIONS SIGNATURES [THINK_MS [LABEL]]}.
 */
public final class AccountdBench {
    private AccountdBench() {
    }

    /** One measurement. Times in milliseconds except {@code lastSeconds}. */
    public record Result(String label, int conns, int sigs, int thinkMs, double perSecond, double p50ms,
            double p99ms, double waitP99ms, double lastSeconds) {
    }

    public static void main(String[] args) throws Exception {
        Result r = run(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                args.length > 3 ? Integer.parseInt(args[3]) : 0, args.length > 4 ? args[4] : args[0]);
        System.out.printf(java.util.Locale.ROOT, "%s conns=%d sigs=%d think=%d ms: %.1f sig/s p50=%.2f ms "
                + "p99=%.2f ms wait-p99=%.1f ms last=%.3f s%n", r.label(), r.conns(), r.sigs(), r.thinkMs(),
                r.perSecond(), r.p50ms(), r.p99ms(), r.waitP99ms(), r.lastSeconds());
    }

    /** Opens one connection, reads the greeting and gets one signature (loads both sides' classes). */
    public static void warmUp(Path sock) throws IOException {
        try (AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock))) {
            AccountdCodec.Greeting g = AccountdCodec.readGreeting(new BufferedInputStream(s.getInputStream()));
            AccountdCodec.sign(new BufferedInputStream(s.getInputStream()), s.getOutputStream(),
                    AccountdProcessTest.request(g.alg(), 0));
        }
    }

    public static Result run(Path sock, int conns, int sigs, int thinkMs, String label) throws Exception {
        long[] latencies = new long[conns * sigs];
        long[] waits = new long[conns];
        AtomicLong lastEnd = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(conns);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(conns);
        List<Throwable> errors = new ArrayList<>();
        for (int c = 0; c < conns; c++) {
            int ci = c;
            Thread t = new Thread(() -> {
                try {
                    ready.countDown();
                    go.await();
                    long c0 = System.nanoTime();
                    try (AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock))) {
                        InputStream in = new BufferedInputStream(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        AccountdCodec.Greeting g = AccountdCodec.readGreeting(in);
                        waits[ci] = System.nanoTime() - c0;
                        for (int i = 0; i < sigs; i++) {
                            if (thinkMs > 0) {
                                Thread.sleep(thinkMs);
                            }
                            String req = AccountdProcessTest.request(g.alg(), ci * sigs + i);
                            long t0 = System.nanoTime();
                            AccountdCodec.sign(in, out, req);
                            latencies[ci * sigs + i] = System.nanoTime() - t0;
                        }
                    }
                    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                } finally {
                    done.countDown();
                }
            });
            t.start();
        }
        ready.await();
        Thread.sleep(100);
        long start = System.nanoTime();
        go.countDown();
        done.await();
        if (!errors.isEmpty()) {
            throw new IOException(label + ": " + errors.size() + " connection(s) failed", errors.get(0));
        }
        double elapsed = (lastEnd.get() - start) / 1e9;
        return new Result(label, conns, conns * sigs, thinkMs, conns * sigs / elapsed, percentile(latencies, 0.50),
                percentile(latencies, 0.99), percentile(waits, 0.99), elapsed);
    }

    /** Nearest-rank percentile, in milliseconds. */
    static double percentile(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.max(0, (int) Math.ceil(s.length * p) - 1)] / 1e6;
    }
}
