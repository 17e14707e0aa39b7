package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14 against a real Pebble 2.10 through the distribution's launchers: a section whose
 * key does not exist gets one generated (mode 0600, root's, the certificate's key), and an
 * IP-address certificate (127.0.0.1, RFC 8738) is validated by http-01; a DNS name and an IP
 * address are validated by tls-alpn-01 (RFC 8737) through {@code listen-tls}; the distributed
 * responder refuses TLS clients without ALPN acme-tls/1.
 */
class TlsAlpnIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;
    static Path conf;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = List.of("ip");
        conf = Tree.write(tmp, s);
        Files.writeString(tmp.resolve("lacme-certs.conf"), "CAfile = " + tmp.resolve("pebble-roots.pem") + "\n"
                + section("ip", "/O=lacme IP test", "IP:127.0.0.1", "")
                + section("gen", "/CN=gen.example.test", "DNS:gen.example.test", "certificate-key-type = ec:p384\n"));
        Dist.register(tmp, conf);
    }

    static String section(String name, String subject, String san, String extra) {
        return section(tmp, name, subject, san, extra);
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void generatedKeyAndIpCertificateByHttp01() throws Exception {
        Path genKey = tmp.resolve("gen.key");
        assertFalse(Files.exists(genKey, LinkOption.NOFOLLOW_LINKS));
        Dist.Run run = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"), 180);
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stderr().contains("[gen] Generated a ec:p384 key in " + genKey), run.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(genKey)));
        if (Dist.isRoot()) {
            assertEquals(0, Files.getAttribute(genKey, "unix:uid"));
        }
        for (String s : List.of("gen", "ip")) {
            List<X509Certificate> chain = Certs.parse(tmp.resolve(s + ".chain.pem"));
            assertArrayEquals(Certs.publicKey(tmp.resolve(s + ".key")).getEncoded(),
                    chain.get(0).getPublicKey().getEncoded(), s + ": the leaf's key is the service key");
            Certs.verifiesToPebbleRoot(chain, pebble);
        }
        X509Certificate ip = Certs.parse(tmp.resolve("ip.crt")).get(0);
        assertEquals(List.of(List.of(7, "127.0.0.1")), List.copyOf(ip.getSubjectAlternativeNames()));
        byte[] key = Files.readAllBytes(genKey);
        Dist.Run again = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder", "--force"), 180);
        assertEquals(0, again.exit(), again.toString());
        assertArrayEquals(key, Files.readAllBytes(genKey), "an existing key is never replaced");
        assertFalse(again.stderr().contains("Generated"), again.toString());
    }

    /** openssl s_client against {@code port}; returns its stdout and stderr together. */
    static String sClient(int port, String sni, String alpn) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", sni));
        if (alpn != null) {
            cmd.addAll(List.of("-alpn", alpn));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        return out;
    }

    @Test
    void theDistributedResponderAnswersAcmeTlsOnlyAsAnUnprivilegedUser() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("alpn-dir"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String keyAuthz = "tok_1.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
        Files.writeString(dir.resolve("alpn.www.example.test"), keyAuthz);
        Process w = new ProcessBuilder(Dist.webserver().toString(), "--tls-alpn", "--listen", "127.0.0.1:0",
                "--dir", dir.toString(), "--timeout", "60").redirectErrorStream(true).start();
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(w.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            String line = r.readLine();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(" on 127\\.0\\.0\\.1:(\\d+)").matcher(
                    String.valueOf(line));
            assertTrue(m.find(), line);
            int port = Integer.parseInt(m.group(1));
            String ok = "";
            for (int i = 0; i < 100 && !ok.contains("BEGIN CERTIFICATE"); i++) { // the serving JVM starts
                ok = sClient(port, "www.example.test", "acme-tls/1");
                if (!ok.contains("BEGIN CERTIFICATE")) {
                    Thread.sleep(200);
                }
            }
            assertTrue(ok.contains("ALPN protocol: acme-tls/1"), ok);
            X509Certificate c = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(ok.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            assertTrue(c.getCriticalExtensionOIDs().contains("1.3.6.1.5.5.7.1.31"));
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(keyAuthz.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] ext = c.getExtensionValue("1.3.6.1.5.5.7.1.31"); // OCTET STRING { OCTET STRING (32) }
            assertArrayEquals(digest, java.util.Arrays.copyOfRange(ext, ext.length - 32, ext.length));
            assertEquals(List.of(List.of(2, "www.example.test")), List.copyOf(c.getSubjectAlternativeNames()));
            for (String refused : List.of(sClient(port, "www.example.test", null),
                    sClient(port, "www.example.test", "h2,http/1.1"), sClient(port, "other.example.test", "acme-tls/1"))) {
                assertFalse(refused.contains("BEGIN CERTIFICATE"), refused);
                assertTrue(refused.contains("alert"), refused);
            }
            if (Dist.isRoot()) {
                ProcessHandle serving = w.descendants().filter(h -> h.info().command().orElse("").endsWith("java"))
                        .reduce((a, b) -> b).orElseThrow();
                String status = Files.readString(Path.of("/proc/" + serving.pid() + "/status"));
                assertFalse(status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0")),
                        "the responder never runs as root: " + status);
            }
        } finally {
            w.descendants().forEach(ProcessHandle::destroy);
            w.destroy();
            w.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void issuesByTlsAlpn01ForADnsNameAndAnIpAddress(@TempDir Path dir) throws Exception {
        Tree.Settings settings = Tree.Settings.of(pebble);
        settings.sections = List.of("alpn");
        // Pebble's tls-alpn-01 validation connects to its tlsPort: the master binds it
        settings.webserver.put("listen-tls", "127.0.0.1:" + pebble.tlsPort());
        // http-01 cannot succeed: its webserver listens on a UNIX socket Pebble cannot reach
        settings.webserver.put("listen", dir.resolve("www.socket").toString());
        Path c = Tree.write(dir, settings);
        Files.copy(dir.resolve("alpn.key"), dir.resolve("alpnip.key"));
        Files.writeString(dir.resolve("lacme-certs.conf"), "CAfile = " + dir.resolve("pebble-roots.pem") + "\n"
                + section(dir, "alpn", "/CN=alpn.example.test", "DNS:alpn.example.test", "challenge = tls-alpn-01\n")
                + section(dir, "alpnip", "/O=lacme IP test", "IP:127.0.0.1", "challenge = tls-alpn-01\n"));
        Dist.register(dir, c);
        Dist.Run run = Dist.run(dir, List.of(Dist.lacme().toString(), "--config=" + c, "newOrder"), 180);
        assertEquals(0, run.exit(), run.toString());
        X509Certificate dns = Certs.parse(dir.resolve("alpn.crt")).get(0);
        assertEquals(java.util.Set.of("alpn.example.test"), Certs.dnsNames(dns));
        X509Certificate ip = Certs.parse(dir.resolve("alpnip.crt")).get(0);
        assertEquals(List.of(List.of(7, "127.0.0.1")), List.copyOf(ip.getSubjectAlternativeNames()));
        assertFalse(run.stderr().contains("Exception"), run.toString());
    }

    static String section(Path dir, String name, String subject, String san, String extra) {
        return "\n[" + name + "]\ncertificate-key = " + dir.resolve(name + ".key") + "\ncertificate = "
                + dir.resolve(name + ".crt") + "\ncertificate-chain = " + dir.resolve(name + ".chain.pem")
                + "\nsubject = " + subject + "\nsubjectAltName = " + san + "\n" + extra;
    }
}
