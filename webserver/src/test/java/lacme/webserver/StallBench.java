package lacme.webserver;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import lacme.common.os.ListenAddress;
import org.junit.jupiter.api.Test;

/**
 * The stall benchmark of issue 5; run it with {@code webserver/bench/stall-bench.sh}
 * (which sets {@code -Dstall.bench=true}; a plain {@code mvn test} skips it).
 *
 * <p>Starts the webserver as a separate process, as lacme's master does (a listening
 * socket on 127.0.0.1 as its fd 0, the challenge directory as its cwd), then holds
 * {@code stall.idle} (1,000) idle connections and {@code stall.slow} (50) slow-header
 * clients (one header byte every 500 ms, never finishing) open — reopening any the server
 * closes — and meanwhile sends {@code stall.gets} (200) validation GETs, one every 20 ms,
 * each on its own connection with a 5 s budget. Prints success count, p50/p90/p99/max
 * latency (connect to end of response) and the server's peak RSS (VmHWM). With
 * {@code -Dstall.perl=true} it runs lacme 0.8.2's Perl webserver instead, for comparison.
 */
class StallBench {
    static final String TOKEN = "bench_token-0123456789abcdefghijklmnopqrstuvwxyzABC";
    static final String KEYAUTH = TOKEN + ".NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    @Test
    void stall() throws Exception {
        assumeTrue(Boolean.getBoolean("stall.bench"), "run with webserver/bench/stall-bench.sh");
        run(Integer.getInteger("stall.idle", 1000), Integer.getInteger("stall.slow", 50),
                Integer.getInteger("stall.gets", 200), Boolean.getBoolean("stall.perl"));
    }

    static void run(int idle, int slow, int gets, boolean perl) throws Exception {
        Path dir = Files.createTempDirectory("stall-bench");
        Files.writeString(dir.resolve(TOKEN), KEYAUTH);
        List<String> cmd = perl
                ? List.of("sh", "-c", "exec 3<&0 0</dev/null; exec /usr/libexec/lacme/webserver 3")
                : ServerProcess.java("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenAddress.BACKLOG);
                ServerProcess server = ServerProcess.start(cmd, l, dir, Map.of());
                Pressure pressure = new Pressure((InetSocketAddress) l.getLocalAddress(), idle, slow)) {
            InetSocketAddress addr = (InetSocketAddress) l.getLocalAddress();
            long ready = get(addr, 20_000);
            System.out.printf("server %s (pid %d), first GET %s%n", perl ? "lacme 0.8.2 Perl" : "lacme-webserver",
                    server.process.pid(), ready < 0 ? "FAILED" : ready / 1000 + " ms");
            for (int i = 0; i < 20 && ready >= 0; i++) {
                get(addr, 5000); // warm-up
            }
            pressure.start();
            pressure.awaitConnected(30_000);
            System.out.printf("pressure: %d idle + %d slow-header connections open%n",
                    pressure.idleOpen(), pressure.slowOpen());
            ExecutorService pool = Executors.newFixedThreadPool(64);
            List<Future<Long>> results = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < gets; i++) {
                results.add(pool.submit(() -> get(addr, 5000)));
                Thread.sleep(20);
            }
            long[] us = new long[gets];
            int ok = 0;
            for (int i = 0; i < gets; i++) {
                us[i] = results.get(i).get();
                ok += us[i] >= 0 ? 1 : 0;
            }
            long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            pool.shutdownNow();
            for (int i = 0; i < gets; i++) {
                us[i] = us[i] < 0 ? Long.MAX_VALUE : us[i];
            }
            Arrays.sort(us);
            System.out.printf("GETs: %d/%d succeeded in %d ms; latency p50 %s, p90 %s, p99 %s, max %s%n",
                    ok, gets, wall, ms(us, 0.50), ms(us, 0.90), ms(us, 0.99), ms(us, 1.0));
            System.out.printf("pressure during the run: %d idle + %d slow open at the end, %d reopened%n",
                    pressure.idleOpen(), pressure.slowOpen(), pressure.reopened.get());
            String st = Files.readString(Path.of("/proc/" + server.process.pid() + "/status"));
            System.out.printf("server memory: %s, %s, %s%n", line(st, "VmHWM"), line(st, "VmRSS"),
                    line(st, "Threads"));
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    static String line(String status, String key) {
        return status.lines().filter(l -> l.startsWith(key + ":")).findFirst().orElse(key + ": ?")
                .replaceAll("\\s+", " ");
    }

    static String ms(long[] sortedUs, double q) {
        long v = sortedUs[Math.max(0, (int) Math.ceil(q * sortedUs.length) - 1)];
        return v == Long.MAX_VALUE ? "FAILED" : String.format("%.2f ms", v / 1000.0);
    }

    /** One validation GET; its latency in µs, or -1 on failure or after the budget. */
    static long get(InetSocketAddress addr, int budgetMs) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(addr, budgetMs);
            s.setSoTimeout(budgetMs);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + RequestHead.ROOT + TOKEN + " HTTP/1.1\r\nHost: bench.example\r\n"
                    + "User-Agent: stall-bench\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String r = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!r.matches("(?s)HTTP/1\\.[01] 200 .*\r\n\r\n" + KEYAUTH)) {
                return -1;
            }
            return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Holds idle and slow-header connections open on one thread, reopening closed ones. */
    static final class Pressure extends Thread implements AutoCloseable {
        final InetSocketAddress addr;
        final int idle;
        final int slow;
        final Selector selector;
        final AtomicInteger idleOpen = new AtomicInteger();
        final AtomicInteger slowOpen = new AtomicInteger();
        final AtomicInteger reopened = new AtomicInteger();
        volatile boolean running = true;

        Pressure(InetSocketAddress addr, int idle, int slow) throws IOException {
            super("stall-pressure");
            setDaemon(true);
            this.addr = addr;
            this.idle = idle;
            this.slow = slow;
            this.selector = Selector.open();
        }

        int idleOpen() {
            return idleOpen.get();
        }

        int slowOpen() {
            return slowOpen.get();
        }

        void awaitConnected(long ms) throws InterruptedException {
            long end = System.currentTimeMillis() + ms;
            while (idleOpen.get() + slowOpen.get() < idle + slow && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
        }

        private void open(boolean isSlow) {
            try {
                SocketChannel ch = SocketChannel.open();
                ch.socket().connect(addr, 2000);
                ch.configureBlocking(false);
                if (isSlow) {
                    ch.write(ByteBuffer.wrap(("GET " + RequestHead.ROOT + "slow HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                            .getBytes(StandardCharsets.US_ASCII)));
                }
                ch.register(selector, SelectionKey.OP_READ, isSlow);
                (isSlow ? slowOpen : idleOpen).incrementAndGet();
            } catch (IOException e) {
                // counted as not open; retried on the next round
            }
        }

        @Override
        public void run() {
            ByteBuffer sink = ByteBuffer.allocate(4096);
            ByteBuffer dribble = ByteBuffer.wrap(new byte[] {'a'});
            long nextDribble = System.nanoTime();
            try {
                while (running) {
                    while (running && idleOpen.get() < idle) {
                        open(false);
                    }
                    while (running && slowOpen.get() < slow) {
                        open(true);
                    }
                    selector.select(50);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel ch = (SocketChannel) k.channel();
                        try {
                            if (ch.read(sink.clear()) == 0) {
                                continue;
                            }
                        } catch (IOException e) {
                            // reset: reopen below
                        }
                        k.cancel(); // the server answered (408) or closed: reopen
                        ch.close();
                        ((Boolean) k.attachment() ? slowOpen : idleOpen).decrementAndGet();
                        reopened.incrementAndGet();
                    }
                    selector.selectedKeys().clear();
                    if (System.nanoTime() - nextDribble > 0) {
                        nextDribble = System.nanoTime() + 500_000_000L;
                        for (SelectionKey k : selector.keys()) {
                            if (k.isValid() && (Boolean) k.attachment()) {
                                try {
                                    ((SocketChannel) k.channel()).write(dribble.clear());
                                } catch (IOException e) {
                                    // noticed by the read side
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws Exception {
            running = false;
            selector.wakeup();
            join(5000);
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
        }
    }
}
