package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rest of issue 15's fault matrix, faults of the environment rather than of the run's
 * processes: the certificates' directory read-only (a read-only bind mount) or full (a small
 * tmpfs), and a broken CA — {@link FaultProxy} in front of Pebble answering 500, accepting and
 * never answering, or completing TLS and then staying silent, with {@code [client] timeout =
 * 10}. Each row: exit 1, at most one {@code [ERROR]} line a section and each naming the file
 * or the CA, the old certificate files byte-identical and nothing else beside them, every
 * process of the run gone, its challenge directory gone, and the next normal run issues (for
 * the CA rows, through the same proxy, relaying again). The mounts need root (as CI runs);
 * they are undone in finally blocks. Figures go to stderr ("FAULT2 ...").
 */
class FaultMatrix2IT {
    static final List<String> SECTIONS = List.of("rsa", "ec");
    static Pebble pebble;
    static FaultProxy proxy;
    @TempDir
    static Path tmp;
    static Path conf;
    static Path proxyConf;
    static Path certs;

    enum Row { READ_ONLY, FULL, ANSWER_500, SILENT, TLS_SILENT }

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = SECTIONS;
        conf = Tree.write(tmp, s);
        // the certificates in a directory of their own, which the rows make read-only or full
        certs = Files.createDirectory(tmp.resolve("certs"));
        String c = Files.readString(tmp.resolve("lacme-certs.conf"));
        for (String sec : SECTIONS) {
            c = c.replace(tmp.resolve(sec + ".crt").toString(), crt(sec).toString())
                    .replace(tmp.resolve(sec + ".chain.pem").toString(), chain(sec).toString());
        }
        Files.writeString(tmp.resolve("lacme-certs.conf"), c);
        Dist.register(tmp, conf);
        // the same tree with the proxy as the CA: Pebble's TLS CA and the proxy's certificate trusted
        proxy = FaultProxy.start(pebble.directoryUrl().getPort(), tmp);
        Path trusted = tmp.resolve("ca-and-proxy.pem");
        Files.writeString(trusted, Files.readString(pebble.caPemPath()) + Files.readString(proxy.certificate()));
        String l = Files.readString(conf)
                .replace("server = " + pebble.directoryUrl(), "server = " + proxyUrl())
                .replace("SSL_ca_file = " + pebble.caPemPath(), "SSL_ca_file = " + trusted)
                .replace("timeout = 60", "timeout = 10");
        assertTrue(l.contains(proxyUrl()) && l.contains("timeout = 10"), l);
        proxyConf = Files.writeString(tmp.resolve("lacme-proxy.conf"), l);
        normalRun(conf, "first run");
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    static String proxyUrl() {
        return "https://127.0.0.1:" + proxy.port() + pebble.directoryUrl().getPath();
    }

    @ParameterizedTest
    @EnumSource(Row.class)
    void aBrokenEnvironmentFailsTheRunCleanlyAndTheNextRunIssues(Row row) throws Exception {
        boolean mount = row == Row.READ_ONLY || row == Row.FULL;
        Assumptions.assumeTrue(!mount || Dist.isRoot(), "mounting needs root");
        Map<Path, byte[]> before = snapshot();
        Set<Long> seen = new LinkedHashSet<>();
        Path[] challengeDir = new Path[1];
        Path run = mount ? conf : proxyConf;
        Dist.Run r;
        long ms;
        try {
            switch (row) {
                case READ_ONLY -> {
                    sh("mount --bind \"$1\" \"$1\" && mount -o remount,ro,bind \"$1\"", certs);
                    assertFalse(Files.isWritable(certs) && canWrite(certs), "read-only");
                }
                case FULL -> {
                    sh("mount -t tmpfs -o size=64k,mode=0755 lacme-it-full \"$1\"", certs);
                    for (var e : before.entrySet()) {
                        Files.write(e.getKey(), e.getValue());
                    }
                    fill(certs.resolve("filler"));
                }
                case ANSWER_500 -> proxy.mode(FaultProxy.Mode.ANSWER_500);
                case SILENT -> proxy.mode(FaultProxy.Mode.SILENT);
                case TLS_SILENT -> proxy.mode(FaultProxy.Mode.TLS_SILENT);
                default -> throw new IllegalStateException();
            }
            long t0 = System.nanoTime();
            try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + run,
                    "newOrder", "--force"))) {
                m.await(x -> {
                    seen.addAll(x.descendants().keySet());
                    List<Long> www = x.running(Procs.WEBSERVER);
                    if (challengeDir[0] == null && !www.isEmpty()) {
                        challengeDir[0] = Procs.cwd(www.get(0)).orElse(null);
                    }
                    return false; // watch until the run ends
                }, 120);
                r = m.finish(10);
                ms = (System.nanoTime() - t0) / 1_000_000;
            }
            List<String> errors = r.stderr().lines().filter(x -> x.contains("[ERROR]")).toList();
            System.err.println("FAULT2 " + row + ": exit " + r.exit() + " after " + ms + " ms; errors " + errors);
            assertEquals(1, r.exit(), row + ": " + r);
            assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
            assertTrue(!errors.isEmpty() && errors.size() <= SECTIONS.size(), row + ": one line a section at most: "
                    + r.stderr());
            String names = mount ? certs.toString() : "127.0.0.1:" + proxy.port();
            String reason = switch (row) {
                case READ_ONLY -> "Read-only file system";
                case FULL -> "No space left on device";
                case ANSWER_500 -> "500";
                default -> "";
            };
            for (String e : errors) {
                assertTrue(e.contains(names) && e.contains(reason), row + ": the line names " + names + " and "
                        + reason + ": " + e);
            }
            if (!mount) {
                assertTrue(ms < 30_000, row + ": ended after " + ms + " ms with timeout = 10");
            }
            for (long pid : seen) {
                assertFalse(Procs.alive(pid), row + ": " + pid + " " + Procs.cmdline(pid) + " of the run left");
            }
            assertTrue(challengeDir[0] != null, row + ": a webserver was seen");
            assertFalse(Files.exists(challengeDir[0], LinkOption.NOFOLLOW_LINKS), row + ": challenge directory left");
            for (var e : before.entrySet()) {
                assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), row + ": " + e.getKey() + " changed");
            }
            try (var s = Files.list(certs)) {
                List<String> extra = s.map(p -> p.getFileName().toString())
                        .filter(n -> !n.equals("filler") && before.keySet().stream()
                                .noneMatch(p -> p.getFileName().toString().equals(n))).toList();
                assertEquals(List.of(), extra, row + ": files left beside the certificates");
            }
        } finally {
            proxy.mode(FaultProxy.Mode.RELAY);
            if (mount) {
                sh("umount \"$1\"", certs);
            }
        }
        for (var e : before.entrySet()) { // under the mount: never touched
            assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), row + ": " + e.getKey());
        }
        normalRun(run, "after " + row);
    }

    static Path crt(String sec) {
        return certs.resolve(sec + ".crt");
    }

    static Path chain(String sec) {
        return certs.resolve(sec + ".chain.pem");
    }

    /** Every file of the certificates' directory (the sections' pairs), path → bytes. */
    static Map<Path, byte[]> snapshot() throws IOException {
        Map<Path, byte[]> m = new LinkedHashMap<>();
        try (var files = Files.list(certs)) {
            for (Path p : files.sorted().toList()) {
                m.put(p, Files.readAllBytes(p));
            }
        }
        assertEquals(2 * SECTIONS.size(), m.size(), "the sections' pairs: " + m.keySet());
        return m;
    }

    /** Root may write to a directory whatever its mode: try it (a read-only mount refuses). */
    static boolean canWrite(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes {@code file} until the file system is full. */
    static void fill(Path file) throws IOException {
        byte[] block = new byte[1024];
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
            for (int i = 0; i < 1 << 20; i++) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            return; // ENOSPC, as wanted
        }
        throw new AssertionError("the tmpfs never filled up");
    }

    static void sh(String script, Path arg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", script, "sh", arg.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), script + " " + arg + ": " + out);
    }

    static void normalRun(Path c, String what) throws Exception {
        long t0 = System.nanoTime();
        Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + c, "newOrder", "--force"), 180);
        System.err.println("FAULT2 normal run " + what + ": exit " + r.exit() + " in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertEquals(0, r.exit(), what + ": " + r);
        for (String sec : SECTIONS) {
            Certs.verifiesToPebbleRoot(Certs.parse(chain(sec)), pebble);
            assertEquals(Certs.parse(chain(sec)).get(0), Certs.parse(crt(sec)).get(0), what);
        }
    }
}
