package lacme.it;

import lacme.common.json.Json;
import lacme.testkit.PebbleInstallation;
import lacme.testkit.TestCa;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of the test's own ({@code ip netns add}), with only a loopback
 * interface, its own firewall and — when asked — Pebble and pebble-challtestsrv running inside
 * on fixed ports, so that the master can be run in it ({@code ip netns exec}) and change the
 * firewall without touching the host's. {@link #close()} stops what it started, by pid, and
 * deletes the namespace.
 */
final class Netns implements AutoCloseable {
    static final int ACME = 14000;
    static final int MANAGEMENT = 15000;
    static final int DNS = 8053;
    static final int CHALLTESTSRV = 8055;

    final String name;
    private final Path dir;
    private final List<Process> started = new ArrayList<>();
    private Path tlsCa;

    private Netns(String name, Path dir) {
        this.name = name;
        this.dir = dir;
    }

    /** Creates the namespace and brings its loopback up. */
    static Netns create(Path dir) throws IOException, InterruptedException {
        String name = "lacme-it-" + ProcessHandle.current().pid() + "-" + (System.nanoTime() % 100000);
        check(List.of("ip", "netns", "add", name), null);
        Netns ns = new Netns(name, dir);
        try {
            check(List.of("ip", "-n", name, "link", "set", "lo", "up"), null);
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** argv run inside the namespace. */
    List<String> exec(List<String> argv) {
        List<String> a = new ArrayList<>(List.of("ip", "netns", "exec", name));
        a.addAll(argv);
        return a;
    }

    /** Runs a command inside; its stdout; fails the test on a non-zero exit. */
    String run(String... argv) throws IOException, InterruptedException {
        return check(exec(List.of(argv)), null);
    }

    /** Feeds {@code input} to a command inside (e.g. iptables-restore). */
    void feed(String input, String... argv) throws IOException, InterruptedException {
        check(exec(List.of(argv)), input);
    }

    /** The rules of one family as iptables-save prints them, without comments and counters. */
    String rules(boolean v6) throws IOException, InterruptedException {
        StringBuilder b = new StringBuilder();
        for (String l : run(v6 ? "ip6tables-save" : "iptables-save").split("\n")) {
            if (!l.startsWith("#") && !l.isEmpty()) {
                b.append(l.replaceAll(" \\[[0-9]+:[0-9]+\\]$", "")).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * Starts challtestsrv (every name is 127.0.0.1) and Pebble (http-01 on port 80) inside,
     * with a throwaway TLS certificate; returns the ACME directory URL.
     */
    String startPebble() throws Exception {
        PebbleInstallation inst = PebbleInstallation.preferred();
        TestCa ca = TestCa.create("lacme netns test CA");
        TestCa.Issued tls = ca.issueServer("localhost", "127.0.0.1");
        tlsCa = dir.resolve("tls-ca.pem");
        Files.writeString(tlsCa, ca.certificatePem());
        Files.writeString(dir.resolve("tls-cert.pem"), tls.certificatePem());
        Files.writeString(dir.resolve("tls-key.pem"), tls.privateKeyPem());
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("listenAddress", "127.0.0.1:" + ACME);
        cfg.put("managementListenAddress", "127.0.0.1:" + MANAGEMENT);
        cfg.put("certificate", dir.resolve("tls-cert.pem").toString());
        cfg.put("privateKey", dir.resolve("tls-key.pem").toString());
        cfg.put("httpPort", 80);
        cfg.put("tlsPort", 443);
        cfg.put("ocspResponderURL", "");
        cfg.put("externalAccountBindingRequired", false);
        Files.writeString(dir.resolve("pebble.json"), Json.write(Map.of("pebble", cfg)));
        List<String> cts = new ArrayList<>(List.of(inst.challtestsrv().toString(), "-defaultIPv4", "127.0.0.1",
                "-defaultIPv6=", inst.dnsFlag() + "=127.0.0.1:" + DNS, "-management=127.0.0.1:" + CHALLTESTSRV,
                "-http01=", "-https01=", "-tlsalpn01="));
        if (inst.challtestsrvHasFlag("doh")) {
            cts.add("-doh=");
        }
        background(cts, dir.resolve("challtestsrv.log"), Map.of());
        waitForPort(CHALLTESTSRV);
        background(List.of(inst.pebble().toString(), "-config", dir.resolve("pebble.json").toString(),
                "-dnsserver", "127.0.0.1:" + DNS), dir.resolve("pebble.log"), Map.of("PEBBLE_VA_NOSLEEP", "1"));
        waitForPort(ACME);
        return "https://127.0.0.1:" + ACME + "/dir";
    }

    /** The CA file for Pebble's HTTPS port. */
    Path tlsCa() {
        return tlsCa;
    }

    private void background(List<String> argv, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(exec(argv)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("PEBBLE_"));
        pb.environment().putAll(env);
        started.add(pb.start());
    }

    private void waitForPort(int port) throws IOException, InterruptedException {
        for (int i = 0; i < 300; i++) {
            Process p = new ProcessBuilder(exec(List.of("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port)))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
            for (Process s : started) {
                if (!s.isAlive()) {
                    throw new IOException("a Pebble process exited: " + Files.readString(dir.resolve("pebble.log"))
                            + Files.readString(dir.resolve("challtestsrv.log")));
                }
            }
            Thread.sleep(100);
        }
        throw new IOException("port " + port + " not up in namespace " + name);
    }

    private static String check(List<String> argv, String input) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (input == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process p = pb.start();
        if (input != null) {
            try (var o = p.getOutputStream()) {
                o.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("failed: " + argv);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        // anything a failed test left running in the namespace was started by this test
        for (String pid : check(List.of("ip", "netns", "pids", name), null).split("\\s+")) {
            if (!pid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        check(List.of("ip", "netns", "del", name), null);
    }
}
