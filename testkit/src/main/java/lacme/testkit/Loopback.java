package lacme.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for loopback fixtures: free ports, log tails. */
public final class Loopback {
    /** The address every fixture binds. */
    public static final String ADDRESS = "127.0.0.1";

    private Loopback() {
    }

    /** The last 4 KiB of a log file, for exception messages. */
    public static String tail(Path log) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, f.length() - 4096);
            byte[] b = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** {@code n} distinct ports free on 127.0.0.1 for TCP (and UDP, for the DNS one) right now. */
    public static int[] freePorts(int n) throws IOException {
        InetAddress lo = InetAddress.getByName(ADDRESS);
        List<ServerSocket> held = new ArrayList<>();
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                while (true) {
                    ServerSocket s = new ServerSocket(0, 1, lo);
                    held.add(s);
                    try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(lo, s.getLocalPort()))) {
                        ports[i] = s.getLocalPort();
                        break;
                    } catch (IOException e) {
                        // UDP side taken: keep the TCP one held so it is not picked again
                    }
                }
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }
}
