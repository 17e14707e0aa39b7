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
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for the issue-3 benchmark: N connections opened at once to an accountd
 * socket (ours or Perl's), M signatures each; measures signatures per second,
 * per-signature p50/p99 latency and when the last connection completed. Driven by
 * {@link AccountdBenchmarkTest}; also runnable alone:
 * {@code AccountdBench SOCKET CONNECTIONS SIGNATURES [LABEL]}.
 */
public final class AccountdBench {
    private AccountdBench() {
    }

    /** One measurement. */
    public record Result(String label, int conns, int sigs, double perSecond, double p50ms, double p99ms,
            double lastSeconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-30s conns=%-3d sigs=%-4d %8.1f sig/s  p50=%7.2f ms  p99=%7.2f ms"
                    + "  last=%6.3f s", label, conns, sigs, perSecond, p50ms, p99ms, lastSeconds);
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                args.length > 3 ? args[3] : args[0]));
    }

    /** Opens one connection and reads the greeting (loads the client's classes). */
    public static void warmUp(Path sock) throws IOException {
        try (AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock))) {
            AccountdCodec.Greeting g = AccountdCodec.readGreeting(new BufferedInputStream(s.getInputStream()));
            AccountdCodec.sign(new BufferedInputStream(s.getInputStream()), s.getOutputStream(),
                    AccountdProcessTest.request(g.alg(), 0));
        }
    }

    public static Result run(Path sock, int conns, int sigs, String label) throws Exception {
        long[] latencies = new long[conns * sigs];
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
                    try (AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock))) {
                        InputStream in = new BufferedInputStream(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        AccountdCodec.Greeting g = AccountdCodec.readGreeting(in);
                        for (int i = 0; i < sigs; i++) {
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
        Arrays.sort(latencies);
        return new Result(label, conns, conns * sigs, conns * sigs / elapsed, latencies[latencies.length / 2] / 1e6,
                latencies[(int) Math.ceil(latencies.length * 0.99) - 1] / 1e6, elapsed);
    }
}
