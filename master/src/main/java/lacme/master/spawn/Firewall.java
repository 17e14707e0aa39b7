package lacme.master.spawn;

import lacme.common.os.ListenAddress;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.slf4j.Logger;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code [webserver] iptables = Yes}: opens the listen addresses in the host firewall for the
 * duration of the run, as lacme does. For each family with an address, the current rules are
 * saved ({@code iptables-save -c}) and the restore action registered with {@link Cleanup}
 * <em>before</em> any rule is inserted, so every exit path — success, failure, SIGINT,
 * SIGTERM — puts the saved rules (and counters) back. Per address two rules are inserted at
 * the top: INPUT NEW,ESTABLISHED to the address and port, OUTPUT ESTABLISHED from them.
 *
 * <p>The JDK makes every IPv6 socket dual-stack (it clears IPV6_V6ONLY), so {@code [::]}
 * also opens {@code 0.0.0.0/0} and a v4-mapped {@code [::ffff:a.b.c.d]} also opens
 * {@code a.b.c.d}. Beyond lacme: when the saved dump has no {@code filter} table (the nft
 * backend creates it on the first rule), restoring the dump would leave the rules in place,
 * so they are also deleted one by one.
 */
public final class Firewall {
    /** Where lacme runs iptables from. */
    static final String SBIN = "/usr/sbin/";
    private static final long TIMEOUT_SECONDS = 30;

    private Firewall() {
    }

    /** One address/port to open, in one family. */
    record Opening(boolean v6, String dest, int port) {
        /** The two rule specifications (after the chain name) for this opening. */
        List<List<String>> specs() {
            return List.of(
                    List.of("INPUT", "-p", "tcp", "-m", "tcp", "-m", "state", "-d", dest, "--dport",
                            Integer.toString(port), "--state", "NEW,ESTABLISHED", "-j", "ACCEPT"),
                    List.of("OUTPUT", "-p", "tcp", "-m", "tcp", "-m", "state", "-s", dest, "--sport",
                            Integer.toString(port), "--state", "ESTABLISHED", "-j", "ACCEPT"));
        }
    }

    /** The openings for the TCP listen addresses (UNIX sockets need none), IPv4 first. */
    static List<Opening> openings(List<ListenAddress> addrs) {
        List<Opening> v4 = new ArrayList<>();
        List<Opening> v6 = new ArrayList<>();
        for (ListenAddress a : addrs) {
            if (a.isUnix()) {
                continue;
            }
            InetAddress ip = a.inet().getAddress();
            int port = a.inet().getPort();
            if (ip instanceof Inet4Address) {
                v4.add(new Opening(false, ip.getHostAddress() + (ip.isAnyLocalAddress() ? "/0" : "/32"), port));
                if (a.text().startsWith("[")) {
                    // [::ffff:a.b.c.d]: lacme binds an AF_INET6 socket and also opens the v6 form
                    v6.add(new Opening(true, "::ffff:" + ip.getHostAddress() + "/128", port));
                }
            } else {
                v6.add(new Opening(true, ip.isAnyLocalAddress() ? "::/0" : ip.getHostAddress() + "/128", port));
                if (ip.isAnyLocalAddress()) {
                    v4.add(new Opening(false, "0.0.0.0/0", port));
                }
            }
        }
        List<Opening> all = new ArrayList<>(v4);
        all.addAll(v6);
        return all;
    }

    /** Saves the rules, registers their restoration, then inserts the openings. */
    public static void open(List<ListenAddress> addrs, Cleanup cleanup, Logger log) throws Fatal {
        List<Opening> all = openings(addrs);
        for (boolean v6 : new boolean[] {false, true}) {
            List<Opening> family = all.stream().filter(o -> o.v6() == v6).toList();
            if (family.isEmpty()) {
                continue;
            }
            String bin = SBIN + (v6 ? "ip6tables" : "iptables");
            // under the guard: a signal cannot fall between inserting and registering the restore
            cleanup.guard(() -> {
                byte[] saved = run(List.of(bin + "-save", "-c"), null, true);
                boolean hasFilter = new String(saved, StandardCharsets.UTF_8).lines().anyMatch("*filter"::equals);
                List<List<String>> inserted = new ArrayList<>();
                cleanup.add(() -> restore(bin, saved, hasFilter ? List.of() : inserted, log));
                for (Opening o : family) {
                    for (List<String> spec : o.specs()) {
                        List<String> argv = new ArrayList<>(List.of(bin, "-I"));
                        argv.addAll(spec);
                        run(argv, null, false);
                        inserted.add(spec);
                    }
                }
                log.debug("Opened {} in {}", family, bin);
                return null;
            });
        }
    }

    private static void restore(String bin, byte[] saved, List<List<String>> delete, Logger log) throws Fatal {
        log.debug("Restoring {}", bin);
        for (List<String> spec : delete) {
            List<String> argv = new ArrayList<>(List.of(bin, "-D"));
            argv.addAll(spec);
            try {
                run(argv, null, false);
            } catch (Fatal e) {
                log.warn("Warning: {}", e.getMessage());
            }
        }
        run(List.of(bin + "-restore", "-c"), saved, false);
    }

    /** Runs a command with {@code stdin} (or /dev/null); returns stdout when asked, else discards it. */
    private static byte[] run(List<String> argv, byte[] stdin, boolean captureOut) throws Fatal {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(captureOut ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        try {
            Process p = pb.start();
            if (stdin != null) {
                try (OutputStream o = p.getOutputStream()) {
                    o.write(stdin);
                }
            }
            byte[] out = new byte[0];
            if (captureOut) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(b);
                }
                out = b.toByteArray();
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Fatal(argv.get(0) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new Fatal(argv.get(0) + " exited with value " + p.exitValue());
            }
            return out;
        } catch (IOException e) {
            throw new Fatal("Couldn't run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Fatal("interrupted while running " + argv.get(0));
        }
    }
}
