package lacme.master;

import lacme.common.config.Specifiers;
import lacme.master.config.LacmeConf;
import lacme.master.config.RecordingReporter;
import lacme.master.csr.Identifiers;
import lacme.master.install.Pem;
import lacme.master.install.TestCerts;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** newOrder's preparation in-process (no Perl needed); ConfigParityTest compares it with lacme. */
class NewOrderPlanTest {
    @TempDir
    Path dir;

    private final RecordingReporter report = new RecordingReporter(true);
    private final List<String> lines = report.lines();

    private NewOrderCommand.Plan plan(String certs, boolean quiet, Integer minDays, String... sections) throws Exception {
        Files.writeString(dir.resolve("lacme.conf"), "config-certs = certs.conf\n");
        Files.writeString(dir.resolve("certs.conf"), certs.replace("@DIR@", dir.toString()));
        Files.writeString(dir.resolve("k.key"), TestCerts.pkcs8Pem(TestCerts.key("ec")));
        Instant now = Instant.now();
        Files.writeString(dir.resolve("valid.crt"), Pem.encode(TestCerts.spec()
                .validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(100))).build()));
        LacmeConf conf = LacmeConf.read(dir.resolve("lacme.conf"), Path.of("/usr"), true);
        return NewOrderCommand.plan(conf, Specifiers.of(Map.of(), 0, 0, "root", "root", "/root"), null, minDays,
                List.of(sections), quiet, report, now);
    }

    @Test
    void ordersWithCsrAndIdentifiers() throws Exception {
        NewOrderCommand.Plan p = plan("[www]\ncertificate = @DIR@/w.crt\ncertificate-key = @DIR@/k.key\n"
                + "subject = /CN=www.example\nsubjectAltName = DNS:www.example, DNS:example, DNS:a_b.example,"
                + " IP:192.0.2.1,IP:2001:db8:0::1\n", false, null);
        assertEquals(0, p.rv());
        assertEquals(1, p.work().size());
        NewOrderCommand.Work w = p.work().get(0);
        assertEquals(List.of(new Identifiers.Name("dns", "www.example"), new Identifiers.Name("ip", "192.0.2.1"),
                new Identifiers.Name("ip", "2001:db8:0:0:0:0:0:1")), w.names());
        assertTrue(lines.contains("W [www] Warning: Ignoring invalid domain example"), lines.toString());
        assertTrue(lines.contains("W [www] Warning: Ignoring invalid domain a_b.example"), lines.toString());
        assertEquals("CN=www.example", new PKCS10CertificationRequest(w.csr()).getSubject().toString());
    }

    @Test
    void wildcardsNeedDns01AndOnlyAsTheLeftmostLabel() throws Exception {
        String section = "certificate = x\ncertificate-key = @DIR@/k.key\nsubject = /CN=example.org\n"
                + "subjectAltName = DNS:*.example.org, DNS:a.*.example.org, DNS:**.example.org, DNS:*example.org\n";
        NewOrderCommand.Plan p = plan("[h]\n" + section + "[d]\n" + section + "challenge = http-01, dns-01\n"
                + "dns-hook = /bin/true\n[n]\n" + section + "challenge = dns-01\n"
                + "[u]\n" + section + "challenge = dns01\n", false, null);
        assertEquals(1, p.rv());
        assertTrue(lines.contains("W [n] Error: dns-hook: required when 'challenge' lists dns-01, skipping"),
                lines.toString());
        assertTrue(lines.contains("W [h] Error: wildcard *.example.org needs dns-01 in 'challenge', skipping"),
                lines.toString());
        assertTrue(lines.contains("W [u] Error: challenge: unknown challenge type 'dns01' (known: dns-01, http-01,"
                + " tls-alpn-01), skipping"), lines.toString());
        assertEquals(1, p.work().size());
        NewOrderCommand.Work w = p.work().get(0);
        assertEquals(List.of(new Identifiers.Name("dns", "example.org"), new Identifiers.Name("dns", "*.example.org")),
                w.names());
        for (String bad : List.of("a.*.example.org", "**.example.org", "*example.org")) {
            assertTrue(lines.contains("W [d] Warning: Ignoring invalid domain " + bad), lines.toString());
        }
    }

    @Test
    void skipsReportsAndExitStatus() throws Exception {
        NewOrderCommand.Plan p = plan("[a]\ncertificate = @DIR@/valid.crt\n[b]\nsubject = /CN=b.example\n"
                + "[c]\ncertificate = x\ncertificate-key = @DIR@/k.key\nsubject = /CN=c.example\nhash = sha3\n"
                + "[d]\ncertificate = x\ncertificate-key = @DIR@/k.key\nsubject = /CN=localhost\n", false, null,
                "a", "b", "c", "d", "e");
        assertEquals(1, p.rv());
        assertEquals(List.of(), p.work());
        assertTrue(lines.stream().anyMatch(l -> l.matches(
                "I \\[a\\] Valid until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, skipping")), lines.toString());
        assertTrue(lines.contains("W [b] Warning: Missing 'certificate' and 'certificate-chain', skipping"));
        assertTrue(lines.contains("W [c] Warning: Couldn't generate CSR (hash: 'sha3' is not one of md5, rmd160, "
                + "sha1, sha224, sha256, sha384, sha512), skipping"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("W [d] Error: Couldn't issue X.509 certificate: no domain")));
        assertTrue(lines.contains("W Warning: No such section e, skipping"));
    }

    @Test
    void quietHidesValidUntilAndForceRenews() throws Exception {
        plan("[a]\ncertificate = @DIR@/valid.crt\n", true, null);
        assertTrue(lines.stream().noneMatch(l -> l.contains("Valid until")), lines.toString());
        NewOrderCommand.Plan p = plan("[a]\ncertificate = @DIR@/valid.crt\ncertificate-key = @DIR@/k.key\n"
                + "subject = /CN=a.example\n", true, -1);
        assertEquals(1, p.work().size());
    }

    @Test
    void configErrorsAreFatalAndNamed() {
        Fatal f = assertThrows(Fatal.class, () -> plan("[a]\ncertificat = x\n", false, null));
        assertEquals(dir.resolve("certs.conf") + ": Unknown option(s) in [a]: certificat", f.getMessage());
    }

    @Test
    void modeAndOwnerPrecedenceIsLacmes() {
        assertEquals("0600", NewOrderCommand.first("0600", "0644"));
        assertEquals("", NewOrderCommand.first("", "0644"), "an empty mode is defined and wins over chmod");
        assertEquals("0644", NewOrderCommand.first(null, "0644"));
        assertEquals("", NewOrderCommand.first(null, null));
    }

    /**
     * Issue 15: a missing, garbage or rootless CAfile is reported before anything is ordered,
     * naming the file and the reason, instead of after the CA issued (certificate thrown away).
     */
    @Test
    void aBadCaFileIsFoundBeforeOrdering() throws Exception {
        List<java.security.cert.X509Certificate> chain = TestCerts.chain(TestCerts.key("ec"), "ok.example");
        Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        Files.writeString(dir.resolve("leaf-only.pem"), TestCerts.pem(chain.subList(0, 2)));
        Files.writeString(dir.resolve("root.pem"), TestCerts.pem(chain.subList(2, 3)));
        String section = "certificate = @DIR@/x.crt\ncertificate-key = @DIR@/k.key\nsubject = /CN=%s.example\n";
        NewOrderCommand.Plan p = plan("[missing]\n" + section.formatted("m") + "CAfile = @DIR@/none.pem\n"
                + "[garbage]\n" + section.formatted("g") + "CAfile = @DIR@/garbage.pem\n"
                + "[rootless]\n" + section.formatted("r") + "CAfile = @DIR@/leaf-only.pem\n"
                + "[good]\n" + section.formatted("ok") + "CAfile = @DIR@/root.pem\n"
                + "[unchecked]\n" + section.formatted("u") + "CAfile =\n", false, null);
        assertEquals(1, p.rv());
        assertEquals(List.of("good", "unchecked"), p.work().stream().map(NewOrderCommand.Work::section).toList());
        String err = "W [%s] Error: Couldn't issue X.509 certificate: CAfile " + dir + "/%s";
        assertTrue(lines.contains(err.formatted("missing", "none.pem: No such file or directory")), lines.toString());
        assertTrue(lines.contains(err.formatted("garbage", "garbage.pem: holds no PEM certificate")), lines.toString());
        assertTrue(lines.contains(err.formatted("rootless", "leaf-only.pem: holds no self-signed (root) certificate"
                + " to trust")), lines.toString());
    }

    /**
     * Issue 13: without ARI and without min-days, a third of the lifetime (half under 10 days)
     * replaces lacme's fixed 21 days: a 6-day certificate with 5 days left is kept (lacme
     * would renew it on every run), a 120-day one with 35 days left is renewed.
     */
    @Test
    void lifetimeFractionReplacesTwentyOneDays() throws Exception {
        Instant now = Instant.now();
        Files.writeString(dir.resolve("short.crt"), Pem.encode(TestCerts.spec()
                .validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(5))).build()));
        Files.writeString(dir.resolve("long.crt"), Pem.encode(TestCerts.spec()
                .validity(now.minus(Duration.ofDays(85)), now.plus(Duration.ofDays(35))).build()));
        String section = "certificate-key = @DIR@/k.key\nsubject = /CN=%s.example\n";
        NewOrderCommand.Plan p = plan("[short]\ncertificate = @DIR@/short.crt\n" + section.formatted("s")
                + "[long]\ncertificate = @DIR@/long.crt\n" + section.formatted("l")
                + "[pinned]\ncertificate = @DIR@/long.crt\nmin-days = 30\n" + section.formatted("p"), false, null);
        assertEquals(List.of("long"), p.work().stream().map(NewOrderCommand.Work::section).toList());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("I [short] Valid until ")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("I [pinned] Valid until ")), lines.toString());
    }

    @Test
    void tlsAlpnWithoutResponderIsWarnedAbout() throws Exception {
        NewOrderCommand.Plan p = plan("[www]\ncertificate = @DIR@/w.crt\ncertificate-key = @DIR@/k.key\n"
                + "subject = /CN=www.example\nchallenge = tls-alpn-01\n", false, null);
        assertEquals(1, p.work().size());
        assertTrue(lines.contains("W [www] Warning: 'tls-alpn-01' is preferred but no tls-alpn-01 responder runs"
                + " ([webserver] listen-tls is empty or challenge-directory is set)"), lines.toString());
    }

    @Test
    void missingKeyWithTypeIsGeneratedBeforeTheCsr() throws Exception {
        NewOrderCommand.Plan p = plan("[g]\ncertificate = @DIR@/g.crt\ncertificate-key = @DIR@/g.key\n"
                + "certificate-key-type = ec:p256\nsubject = /CN=g.example\n", false, null);
        assertEquals(1, p.work().size(), lines.toString());
        assertTrue(lines.contains("I [g] Generated a ec:p256 key in " + dir.resolve("g.key")), lines.toString());
        assertEquals("EC", new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(p.work().get(0).csr())
                .getPublicKey().getAlgorithm());
    }
}
