package lacme.testkit;

import lacme.common.json.Json;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

/**
 * A real Pebble (the ACME test CA) and pebble-challtestsrv (mock DNS: every name is
 * 127.0.0.1, no AAAA) on free loopback ports, for integration tests. Exists so that every
 * module tests against the real protocol, with TLS verified through a per-fixture CA
 * ({@link #caPemPath()}) — never by turning verification off.
 *
 * <p>Pebble validates http-01 on 127.0.0.1:{@link #httpPort()}: the test serves challenge
 * files there. {@code PEBBLE_VA_NOSLEEP=1} is set by default; Pebble's own default of 5 %
 * rejected nonces is kept unless {@link PebbleBuilder#nonceReject(int)} says otherwise. Both
 * processes are stopped by pid in {@link #close()} (and by a shutdown hook as a safety net).
 *
 * <pre>
 * try (Pebble pebble = Pebble.builder().nonceReject(50).start()) {
 *     URI dir = pebble.directoryUrl();
 * }
 * </pre>
 */
public final class Pebble implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";

    private final PebbleInstallation installation;
    private final Path dir;
    private final Path caPem;
    private final SSLContext ssl;
    private final HttpClient http;
    private final int listenPort;
    private final int managementPort;
    private final int httpPort;
    private final int tlsPort;
    private final int dnsPort;
    private final int challtestsrvManagementPort;
    private final Map<String, String> env;
    private final boolean keepFiles;
    private Process pebble;
    private Process challtestsrv;
    private final Thread hook;

    /** A builder with the defaults described above. */
    public static PebbleBuilder builder() {
        return new PebbleBuilder();
    }

    /** Starts a fixture with the defaults. */
    public static Pebble start() throws IOException {
        return builder().start();
    }

    Pebble(PebbleInstallation installation, PebbleBuilder b) throws IOException {
        this.installation = installation;
        this.env = new LinkedHashMap<>(b.env);
        this.keepFiles = b.keepFiles;
        this.dir = Files.createTempDirectory("lacme-pebble-");
        try {
            TestCa ca = TestCa.create("lacme test TLS CA");
            TestCa.Issued tls = ca.issueServer("localhost", LOOPBACK, "::1");
            caPem = dir.resolve("tls-ca.pem");
            Files.writeString(caPem, ca.certificatePem());
            Files.writeString(dir.resolve("tls-cert.pem"), tls.certificatePem());
            Files.writeString(dir.resolve("tls-key.pem"), tls.privateKeyPem());
            ssl = ca.clientContext();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot create the TLS certificate for Pebble", e);
        }
        http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        int[] ports = Loopback.freePorts(6);
        listenPort = ports[0];
        managementPort = ports[1];
        httpPort = ports[2];
        tlsPort = ports[3];
        dnsPort = ports[4];
        challtestsrvManagementPort = ports[5];
        hook = new Thread(this::stopProcesses, "pebble-fixture-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    void launch(Map<String, Object> extraConfig, boolean strict, Duration timeout) throws IOException {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("listenAddress", LOOPBACK + ":" + listenPort);
        cfg.put("managementListenAddress", LOOPBACK + ":" + managementPort);
        cfg.put("certificate", dir.resolve("tls-cert.pem").toString());
        cfg.put("privateKey", dir.resolve("tls-key.pem").toString());
        cfg.put("httpPort", httpPort);
        cfg.put("tlsPort", tlsPort);
        cfg.put("ocspResponderURL", "");
        cfg.put("externalAccountBindingRequired", false);
        cfg.putAll(extraConfig);
        Path config = dir.resolve("pebble-config.json");
        Files.writeString(config, Json.write(Map.of("pebble", cfg)));

        List<String> cts = new ArrayList<>(List.of(installation.challtestsrv().toString(),
                "-defaultIPv4", LOOPBACK, "-defaultIPv6=",
                installation.dnsFlag() + "=" + LOOPBACK + ":" + dnsPort,
                "-management=" + LOOPBACK + ":" + challtestsrvManagementPort,
                "-http01=", "-https01=", "-tlsalpn01="));
        if (installation.challtestsrvHasFlag("doh")) {
            cts.add("-doh=");
        }
        challtestsrv = new ProcessBuilder(cts).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(challtestsrvLogPath().toFile()).start();
        waitForTcp(challtestsrvManagementPort, challtestsrv, timeout, challtestsrvLogPath());

        List<String> cmd = new ArrayList<>(List.of(installation.pebble().toString(),
                "-config", config.toString(), "-dnsserver", LOOPBACK + ":" + dnsPort));
        if (strict) {
            cmd.add("-strict");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(logPath().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PEBBLE_"));
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        pebble = pb.start();
        waitForDirectory(timeout);
    }

    private void waitForTcp(int port, Process p, Duration timeout, Path log) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port), 500);
                return;
            } catch (IOException e) {
                checkAlive(p, deadline, log);
            }
        }
    }

    private void waitForDirectory(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(directoryUrl())
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && Json.parseObject(r.body()).containsKey("newNonce")) {
                    managementGet("roots/0");
                    return;
                }
            } catch (IOException | ParseException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting Pebble", e);
            }
            checkAlive(pebble, deadline, logPath());
            checkAlive(challtestsrv, deadline, challtestsrvLogPath());
        }
    }

    private void checkAlive(Process p, long deadline, Path log) throws IOException {
        if (!p.isAlive()) {
            throw new IOException(describe(p) + " exited with status " + p.exitValue() + "; log tail:\n" + Loopback.tail(log));
        }
        if (System.nanoTime() > deadline) {
            throw new IOException(describe(p) + " did not come up in time; log tail:\n" + Loopback.tail(log));
        }
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting Pebble", e);
        }
    }

    private String describe(Process p) {
        return (p == pebble ? installation.pebble() : installation.challtestsrv()) + " (" + installation.version() + ")";
    }

    /** The installation in use (binary paths and version). */
    public PebbleInstallation installation() {
        return installation;
    }

    /** The Pebble version string, e.g. {@code 2.10.0+ds1-2} or {@code 2.4.0+ds1-2+b4}. */
    public String version() {
        return installation.version();
    }

    /** The ACME directory, {@code https://127.0.0.1:PORT/dir}. */
    public URI directoryUrl() {
        return URI.create("https://" + LOOPBACK + ":" + listenPort + "/dir");
    }

    /** The port Pebble's VA connects to for http-01 (on 127.0.0.1, where DNS points). */
    public int httpPort() {
        return httpPort;
    }

    /** The port Pebble's VA connects to for tls-alpn-01. */
    public int tlsPort() {
        return tlsPort;
    }

    /** challtestsrv's DNS port (UDP and TCP) on 127.0.0.1. */
    public int dnsPort() {
        return dnsPort;
    }

    /** The PEM file of the CA that signed Pebble's TLS certificate (a client's CA file). */
    public Path caPemPath() {
        return caPem;
    }

    /** The same CA as PEM text. */
    public String caPem() throws IOException {
        return Files.readString(caPem);
    }

    /** An SSLContext trusting exactly that CA. */
    public SSLContext sslContext() {
        return ssl;
    }

    /** Pebble's management interface, {@code https://127.0.0.1:PORT/}. */
    public URI managementUrl() {
        return URI.create("https://" + LOOPBACK + ":" + managementPort + "/");
    }

    /** challtestsrv's management interface (plain HTTP), to add DNS records etc. */
    public URI challtestsrvManagementUrl() {
        return URI.create("http://" + LOOPBACK + ":" + challtestsrvManagementPort + "/");
    }

    /**
     * Pebble's issuing root(s) as PEM: {@code /roots/0}, plus {@code /roots/1..N} when
     * {@code PEBBLE_ALTERNATE_ROOTS=N}. Issued chains are leaf + intermediate; this is the
     * trust anchor to verify them with. Regenerated at every Pebble start.
     */
    public String issuingRootsPem() throws IOException {
        StringBuilder sb = new StringBuilder(managementGet("roots/0"));
        int alternates = 0;
        try {
            alternates = Integer.parseInt(env.getOrDefault("PEBBLE_ALTERNATE_ROOTS", "0"));
        } catch (NumberFormatException e) {
            // Pebble ignores it as well
        }
        for (int i = 1; i <= alternates; i++) {
            sb.append(managementGet("roots/" + i));
        }
        return sb.toString();
    }

    /** The intermediate under root {@code i}, as PEM ({@code /intermediates/i}). */
    public String intermediatePem(int i) throws IOException {
        return managementGet("intermediates/" + i);
    }

    /** A certificate's status from the management interface, or null when Pebble does not know it. */
    public CertStatus certStatus(BigInteger serial) throws IOException {
        HttpResponse<String> r = managementResponse("cert-status-by-serial/" + serial.toString(16));
        if (r.statusCode() == 404) {
            return null;
        }
        if (r.statusCode() != 200) {
            throw new IOException("cert-status-by-serial: HTTP " + r.statusCode() + ": " + r.body());
        }
        try {
            Map<String, Object> o = Json.parseObject(r.body());
            Object reason = o.get("Reason");
            return new CertStatus(Json.string(o, "Status"),
                    reason instanceof Number ? ((Number) reason).intValue() : null,
                    Json.string(o, "RevokedAt"), Json.string(o, "Certificate"));
        } catch (ParseException e) {
            throw new IOException("cert-status-by-serial: bad JSON: " + e.getMessage());
        }
    }

    /** What {@code /cert-status-by-serial/} reports: status {@code Valid} or {@code Revoked}. */
    public record CertStatus(String status, Integer reason, String revokedAt, String certificatePem) {
        /** True when Pebble says the certificate is revoked. */
        public boolean revoked() {
            return "Revoked".equalsIgnoreCase(status);
        }
    }

    /** GET on the management interface, body as text; non-200 is an error. */
    public String managementGet(String path) throws IOException {
        HttpResponse<String> r = managementResponse(path);
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " on Pebble's management interface: HTTP " + r.statusCode());
        }
        return r.body();
    }

    private HttpResponse<String> managementResponse(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(managementUrl().resolve(path)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** pebble's combined stdout/stderr. */
    public Path logPath() {
        return dir.resolve("pebble.log");
    }

    /** pebble-challtestsrv's combined stdout/stderr. */
    public Path challtestsrvLogPath() {
        return dir.resolve("challtestsrv.log");
    }

    /** The fixture's temporary directory (config, TLS files, logs). */
    public Path directory() {
        return dir;
    }

    /** pid of pebble. */
    public long pid() {
        return pebble.pid();
    }

    /** pid of pebble-challtestsrv. */
    public long challtestsrvPid() {
        return challtestsrv.pid();
    }

    /** Stops both processes (SIGTERM, then SIGKILL after 5 s) and removes the directory. */
    @Override
    public void close() {
        stopProcesses();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        if (!keepFiles) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }

    private synchronized void stopProcesses() {
        for (Process p : new Process[] {pebble, challtestsrv}) {
            if (p == null) {
                continue;
            }
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
