package lacme.master;

import lacme.master.install.Pem;
import lacme.master.install.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration parity suite: each row is a lacme.conf plus certificate files and newOrder
 * arguments, run through Debian's Perl lacme 0.8.2 and through our parser and newOrder plan
 * ({@link PerlLacme}). Both must reject, or both accept and then say the same things about
 * each section — the merged settings ({@code --debug} dump), "Valid until", "Missing
 * 'certificate'", "Couldn't generate CSR", "No such section", ignored domains, the identifiers
 * of the first section to order — and stop at the same place. Rows marked as deliberate
 * differences must differ. Our rejection messages must name the file (or the expanded string).
 * The Perl half is skipped (assumption) when /usr/sbin/lacme or openssl is missing.
 */
class ConfigParityTest {
    @TempDir
    Path tmp;

    static final String BASE = "[client]\ncommand = /bin/false\n[webserver]\nchallenge-directory = @DIR@/chal\n";

    /**
     * One row. {@code files} maps relative names to contents (a name ending in / is a directory).
     * {@code sameAsLacme} false: a documented deviation, the outcomes must differ. {@code quirk}:
     * a documented lacme quirk in its identifier list — a regex and replacement that turn Perl's
     * line into ours (the row fails if the quirk is not there).
     */
    record Row(String name, String lacmeConf, Map<String, String> files, List<String> args, boolean sameAsLacme,
               String[] quirk) {
    }

    static Row row(String name, String lacmeConf, Map<String, String> files, String... args) {
        return new Row(name, lacmeConf, files, List.of(args), true, null);
    }

    static Row certs(String name, String certsConf, String... args) {
        List<String> a = new ArrayList<>(List.of("--config-certs=certs.conf"));
        a.addAll(List.of(args));
        return new Row(name, BASE, Map.of("certs.conf", certsConf), a, true, null);
    }

    static Row differs(Row r) {
        return new Row(r.name(), r.lacmeConf(), r.files(), r.args(), false, null);
    }

    /** lacme pushes a stale $1 ("newOrder", from matching the command) when the subject does not end in CN=domain. */
    static Row staleCapture(Row r) {
        return new Row(r.name(), r.lacmeConf(), r.files(), r.args(), true,
                new String[] {"for: newOrder(, )?", "for: "});
    }

    /** Beyond lacme: IP addresses in subjectAltName are requested as IP identifiers. */
    static Row ipIdentifiers(Row r, String ips) {
        return new Row(r.name(), r.lacmeConf(), r.files(), r.args(), true, new String[] {"(for: .*)$", "$1" + ips});
    }

    static final String EMPTY = "--config-certs=empty.d/";
    static final String OK = "certificate = @DIR@/valid.crt\n";
    static final String ORDERABLE = "certificate = @DIR@/none.crt\ncertificate-key = @DIR@/rsa.key\n";

    static List<Row> rows() throws Exception {
        List<Row> r = new ArrayList<>();
        String debianConf = Files.exists(Path.of("/etc/lacme/lacme.conf"))
                ? Files.readString(Path.of("/etc/lacme/lacme.conf")) : "[client]\n[webserver]\n[accountd]\n";
        String debianCerts = Files.exists(Path.of("/etc/lacme/lacme-certs.conf"))
                ? Files.readString(Path.of("/etc/lacme/lacme-certs.conf")) : "#hash =\n";
        // lacme.conf
        r.add(row("debian lacme.conf", debianConf, Map.of(), EMPTY));
        r.add(row("empty lacme.conf", "", Map.of(), EMPTY));
        r.add(row("every key", "config-certs = x\n[client]\nsocket = /x\nuser = u\ngroup = g\ncommand = c\nserver = s\n"
                + "timeout = 5\nSSL_verify = no\nSSL_version = v\nSSL_cipher_list = c\n[webserver]\nlisten = l\n"
                + "challenge-directory = d\nuser = u\ngroup = g\ncommand = c\niptables = yes\n[accountd]\nuser = u\n"
                + "group = g\ncommand = c\nconfig = c\nprivkey = p\nquiet = no\n", Map.of(), EMPTY));
        r.add(row("unknown client key", "[client]\nsevrer = x\n", Map.of(), EMPTY));
        r.add(row("unknown webserver key", "[webserver]\nlisten = a\nport = 80\n", Map.of(), EMPTY));
        r.add(row("unknown accountd key", "[accountd]\nkeyid = x\n", Map.of(), EMPTY));
        r.add(row("invalid section", "[client]\n[clients]\n", Map.of(), EMPTY));
        r.add(row("section names are case-sensitive", "[Client]\n", Map.of(), EMPTY));
        r.add(row("unknown default key is not checked", "foo = bar\n[client]\n", Map.of(), EMPTY));
        r.add(row("syntax error", "[client]\nuser\n", Map.of(), EMPTY));
        r.add(row("colon is not a separator", "[client]\nuser: x\n", Map.of(), EMPTY));
        r.add(row("colon key is unknown", "[client]\nuser:x = y\n", Map.of(), EMPTY));
        r.add(row("semicolon comments", "[client] ; c\nuser = x ; comment\n; whole line\n", Map.of(), EMPTY));
        r.add(row("spaced header", "  [  client  ]  \n", Map.of(), EMPTY));
        r.add(row("empty header", "[]\n", Map.of(), EMPTY));
        r.add(row("CRLF and CR", "[client]\r\nuser = x\r[webserver]\r\n", Map.of(), EMPTY));
        r.add(row("merged sections", "[client]\nuser = a\n[webserver]\n[client]\nuser = b\n", Map.of(), EMPTY));
        r.add(row("explicit default section", "[_]\nconfig-certs = empty.d/\n[client]\n", Map.of()));
        r.add(differs(row("SSL_ca_file (our extension)", "[client]\nSSL_ca_file = /x\n", Map.of(), EMPTY)));
        r.add(differs(row("max-parallel (our extension)", "[client]\nmax-parallel = 2\n", Map.of(), EMPTY)));
        r.add(row("lacme.conf is a directory", null, Map.of("lacme.conf/", ""), EMPTY));
        r.add(row("missing lacme.conf", null, Map.of(), EMPTY));
        // config-certs
        r.add(row("config-certs empty", "config-certs =\n" + BASE, Map.of()));
        r.add(row("config-certs relative file and dir", "config-certs = a.conf b.d\n" + BASE,
                Map.of("a.conf", "[a]\n" + OK, "b.d/20.conf", "[b]\n" + OK, "b.d/10.conf", "[c]\n" + OK)));
        r.add(row("config-certs %-expanded", "config-certs = c-%U.conf\n" + BASE,
                Map.of("c-" + uid() + ".conf", "[a]\n" + OK)));
        r.add(row("config-certs %% literal", "config-certs = c%%.conf\n" + BASE, Map.of("c%.conf", "[a]\n" + OK)));
        r.add(row("config-certs unknown specifier", "config-certs = c%y.conf\n" + BASE, Map.of()));
        r.add(row("config-certs absolute", "config-certs = @DIR@/abs.conf\n" + BASE, Map.of("abs.conf", "[a]\n" + OK)));
        r.add(row("config-certs missing file", "config-certs = nope.conf\n" + BASE, Map.of()));
        r.add(row("config-certs missing dir", "config-certs = nope.d/\n" + BASE, Map.of()));
        r.add(row("config-certs file with slash", "config-certs = a.conf/\n" + BASE, Map.of("a.conf", "[a]\n" + OK)));
        r.add(row("default lacme-certs.conf and .d", BASE,
                Map.of("lacme-certs.conf", "[a]\n" + OK, "lacme-certs.conf.d/x.conf", "[b]\n" + OK)));
        r.add(row("default lacme-certs.conf.d missing", BASE, Map.of("lacme-certs.conf", "[a]\n" + OK)));
        r.add(row("--config-certs beats config-certs", "config-certs = nope.conf\n" + BASE,
                Map.of("o.conf", "[o]\n" + OK), "--config-certs=o.conf"));
        r.add(row("two --config-certs, later wins", BASE, Map.of("1.conf", "[a]\ncertificate = x\n",
                "2.conf", "[a]\n" + OK), "--config-certs=1.conf", "--config-certs=2.conf"));
        // certificate configuration
        r.add(row("debian lacme-certs.conf", BASE, Map.of("certs.conf", debianCerts), "--config-certs=certs.conf"));
        r.add(certs("valid certificate skipped", "[a]\n" + OK));
        r.add(certs("missing certificate", "[a]\nsubject = /CN=a.example\n"));
        r.add(certs("empty certificate", "[a]\ncertificate =\n"));
        r.add(certs("chain path checked first", "[a]\ncertificate-chain = @DIR@/valid.crt\ncertificate = @DIR@/none.crt\n"));
        r.add(certs("empty chain falls back", "[a]\ncertificate-chain =\n" + OK));
        r.add(certs("defaults inherited", "certificate = @DIR@/valid.crt\nmin-days = 10\n[a]\n[b]\nmin-days = 5\n"));
        r.add(certs("empty value is not inherited over", "min-days = 500\n[a]\n" + OK + "min-days =\n"));
        r.add(certs("unknown key in section", "[a]\n" + OK + "certifcate = x\n"));
        r.add(certs("unknown default key is merged", "foo = bar\n[a]\n" + OK));
        r.add(certs("syntax error", "[a]\n" + OK + "oops\n"));
        r.add(certs("every key", "[a]\n" + OK + "certificate-key = k\nmin-days = 2\nCAfile =\nhash = sha1\n"
                + "keyUsage = digitalSignature\nsubject = /CN=a\nsubjectAltName = DNS:a\ntlsfeature = status_request\n"
                + "owner = root\nchown = x\nmode = 0600\nchmod = 1\nnotify = true\n"));
        r.add(certs("sections sorted", "[b]\n" + OK + "[a]\n" + OK + "[B]\n" + OK));
        r.add(certs("spaced section merged", "[ a ]\ncertificate = x\n[a]\n" + OK));
        r.add(certs("no such section", "[a]\n" + OK, "a", "zz"));
        r.add(certs("selected sections in order", "[a]\n" + OK + "[b]\n" + OK, "b", "a"));
        r.add(row("defaults do not reach earlier files", BASE, Map.of("d/1.conf", "[a]\nsubject = x\n",
                "d/2.conf", OK + "[b]\n", "d/README", "x", "d/.hidden.conf", "[h]\n" + OK, "d/x.conf.bak", ""),
                "--config-certs=d/"));
        r.add(row("later file replaces section", BASE, Map.of("d/1.conf", "[a]\n" + OK + "min-days = 1\n",
                "d/2.conf", "[a]\ncertificate = @DIR@/expired.crt\n"), "--config-certs=d"));
        r.add(row(".conf directory inside", BASE, Map.of("d/x.conf/", ""), "--config-certs=d/"));
        // renewal (the certificate is valid for 365 days)
        r.add(certs("min-days 400 renews", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nmin-days = 400\n"));
        r.add(certs("min-days 0 keeps", "[a]\n" + OK + "min-days = 0\n"));
        r.add(certs("min-days negative renews", "[a]\n" + ORDERABLE.replace("none", "valid")
                + "subject = /CN=a.example\nmin-days = -1\n"));
        r.add(certs("min-days not numeric is 0", "[a]\n" + OK + "min-days = soon\n"));
        r.add(certs("min-days with suffix", "[a]\n" + OK.replace("@DIR@/valid.crt", "@DIR@/valid.crt\n"
                + "certificate-key = @DIR@/rsa.key\nsubject = /CN=a.example") + "min-days = 500days\n"));
        r.add(certs("min-days exponent", "[a]\n" + OK + "min-days = 3e2\n"));
        r.add(certs("--min-days beats the section", "[a]\n" + ORDERABLE.replace("none", "valid")
                + "subject = /CN=a.example\nmin-days = 0\n", "--min-days=400"));
        r.add(certs("--force", "[a]\n" + ORDERABLE.replace("none", "valid") + "subject = /CN=a.example\n", "--force"));
        r.add(certs("expired renews with min-days 0", "[a]\ncertificate = @DIR@/expired.crt\ncertificate-key = "
                + "@DIR@/rsa.key\nsubject = /CN=a.example\nmin-days = 0\n"));
        r.add(differs(certs("unparsable certificate: lacme segfaults, we renew",
                "[a]\ncertificate = @DIR@/rsa.key\ncertificate-key = @DIR@/rsa.key\n"
                + "subject = /CN=a.example\n")));
        r.add(differs(certs("preferred-chain (our extension)", "[a]\n" + OK + "preferred-chain = ISRG Root X2\n")));
        // CSR settings and identifiers
        r.add(certs("no key", "[a]\ncertificate = @DIR@/none.crt\nsubject = /CN=a.example\n"));
        r.add(certs("no subject", "[a]\n" + ORDERABLE));
        r.add(certs("hash outside lacme's list", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nhash = SHA256\n"));
        r.add(certs("hash sha1", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nhash = sha1\n"));
        r.add(certs("md5 with an EC key", "[a]\ncertificate = x\ncertificate-key = @DIR@/ec.key\n"
                + "subject = /CN=a.example\nhash = md5\n"));
        r.add(certs("EC key after parameters", "[a]\ncertificate = x\ncertificate-key = @DIR@/ecp.key\n"
                + "subject = /CN=a.example\nhash = sha384\n"));
        r.add(certs("PKCS#8 key", "[a]\ncertificate = x\ncertificate-key = @DIR@/rsa8.key\nsubject = /CN=a.example\n"));
        r.add(certs("missing key file", "[a]\ncertificate = x\ncertificate-key = @DIR@/nokey\nsubject = /CN=a.example\n"));
        r.add(certs("garbage key", "[a]\ncertificate = x\ncertificate-key = @DIR@/valid.crt\nsubject = /CN=a.example\n"));
        r.add(certs("subject without slash", "[a]\n" + ORDERABLE + "subject = CN=a.example\n"));
        r.add(certs("subject empty", "[a]\n" + ORDERABLE + "subject =\n"));
        r.add(certs("subject unknown type", "[a]\n" + ORDERABLE + "subject = /cn=x/CN=a.example\n"));
        r.add(staleCapture(certs("subject CN not last", "[a]\n" + ORDERABLE + "subject = /CN=a.example/O=Org\n"
                + "subjectAltName = DNS:b.example\n")));
        r.add(certs("subject unescaped plus", "[a]\n" + ORDERABLE + "subject = /CN=a+b.example\n"));
        r.add(certs("subject escaped slash", "[a]\n" + ORDERABLE + "subject = /O=a\\/b/CN=a.example\n"));
        r.add(certs("subject C too long", "[a]\n" + ORDERABLE + "subject = /C=USA/CN=a.example\n"));
        r.add(certs("subject CN too long", "[a]\n" + ORDERABLE + "subject = /CN=" + "a".repeat(60) + ".example\n"));
        r.add(certs("subject multi-valued", "[a]\n" + ORDERABLE + "subject = /O=x+OU=y/CN=a.example\n"));
        r.add(certs("SAN names", "[a]\n" + ORDERABLE + "subject = /CN=a.example\n"
                + "subjectAltName = DNS:a.example, DNS:b.example,DNS:bad_domain, DNS:x, DNS:B.example\n"));
        r.add(certs("SAN space after colon", "[a]\n" + ORDERABLE + "subject = /CN=a.example\n"
                + "subjectAltName = DNS: b.example\n"));
        r.add(certs("SAN lower-case type", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nsubjectAltName = dns:a.example\n"));
        r.add(certs("SAN empty item", "[a]\n" + ORDERABLE + "subject = /CN=a.example\n"
                + "subjectAltName = DNS:a.example,,DNS:b.example\n"));
        r.add(certs("SAN empty", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nsubjectAltName =\n"));
        r.add(certs("SAN comment", "[a]\n" + ORDERABLE + "subject = /CN=a.example\n"
                + "subjectAltName = DNS:b.example # www\n"));
        r.add(ipIdentifiers(certs("SAN IP and email", "[a]\n" + ORDERABLE + "subject = /CN=a.example\n"
                + "subjectAltName = DNS:a.example,IP:192.0.2.1,email:x@a.example,URI:https://a.example/\n"),
                ", 192.0.2.1"));
        r.add(certs("SAN bad IP", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nsubjectAltName = IP:1.2.3\n"));
        r.add(certs("SAN dirName", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nsubjectAltName = dirName:x\n"));
        r.add(staleCapture(certs("no domain at all", "[a]\n" + ORDERABLE + "subject = /CN=localhost\n")));
        r.add(certs("keyUsage", "[a]\n" + ORDERABLE + "subject = /CN=a.example\n"
                + "keyUsage = digitalSignature, Key Encipherment\n"));
        r.add(certs("keyUsage unknown", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nkeyUsage = digitalsignature\n"));
        r.add(certs("keyUsage empty", "[a]\n" + ORDERABLE + "subject = /CN=a.example\nkeyUsage =\n"));
        r.add(certs("keyUsage critical twice", "[a]\n" + ORDERABLE + "subject = /CN=a.example\n"
                + "keyUsage = critical,digitalSignature\n"));
        r.add(certs("tlsfeature", "[a]\n" + ORDERABLE + "subject = /CN=a.example\ntlsfeature = status_request, 17\n"));
        r.add(certs("tlsfeature unknown", "[a]\n" + ORDERABLE + "subject = /CN=a.example\ntlsfeature = must_staple\n"));
        r.add(certs("failed sections before an order", "[a]\n" + OK + "[b]\nsubject = x\n[c]\n" + ORDERABLE
                + "subject = /CN=c.example\n[d]\n" + OK));
        return r;
    }

    private static String uid() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .findFirst().orElseThrow().split("\\s+")[1];
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the shared fixtures and a row's files into a fresh directory. */
    static Path setUp(Path dir, Row row) throws Exception {
        Files.createDirectories(dir.resolve("chal"));
        Files.createDirectories(dir.resolve("empty.d"));
        var key = TestCerts.key("rsa");
        Files.writeString(dir.resolve("rsa.key"), TestCerts.traditionalPem(key));
        Files.writeString(dir.resolve("rsa8.key"), TestCerts.pkcs8Pem(key));
        Files.writeString(dir.resolve("ec.key"), TestCerts.traditionalPem(TestCerts.key("ec")));
        Files.writeString(dir.resolve("ecp.key"), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
                + "-----END EC PARAMETERS-----\n" + TestCerts.traditionalPem(TestCerts.key("ec")));
        Instant now = Instant.now();
        Files.writeString(dir.resolve("valid.crt"), Pem.encode(TestCerts.spec().subject("CN=valid.example")
                .key(key).validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365))).build()));
        Files.writeString(dir.resolve("expired.crt"), Pem.encode(TestCerts.spec().subject("CN=old.example")
                .key(key).validity(now.minus(Duration.ofDays(100)), now.minus(Duration.ofDays(1))).build()));
        for (var f : row.files().entrySet()) {
            Path p = dir.resolve(f.getKey());
            if (f.getKey().endsWith("/")) {
                Files.createDirectories(p);
            } else {
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue().replace("@DIR@", dir.toString()));
            }
        }
        if (row.lacmeConf() != null) {
            Files.writeString(dir.resolve("lacme.conf"), row.lacmeConf().replace("@DIR@", dir.toString()));
        }
        return dir;
    }

    private static final Map<String, Integer> KINDS = new java.util.concurrent.ConcurrentSkipListMap<>();

    @AfterAll
    static void summary() {
        System.out.println("ConfigParityTest: rows with the same outcome as Perl lacme 0.8.2: " + KINDS);
    }

    @TestFactory
    Stream<DynamicTest> parityWithPerlLacme() throws Exception {
        List<Row> rows = rows();
        List<DynamicTest> tests = new ArrayList<>();
        int[] n = {0};
        for (Row row : rows) {
            tests.add(DynamicTest.dynamicTest(row.name(), () -> {
                Path dir = setUp(Files.createDirectory(tmp.resolve("r" + n[0]++)), row);
                PerlLacme.Outcome ours = PerlLacme.ours(dir, row.args());
                Assumptions.assumeTrue(PerlLacme.available(), "Debian's lacme 0.8.2 is not installed");
                PerlLacme.Outcome perl = PerlLacme.perl(dir, row.args());
                if (!row.sameAsLacme()) {
                    assertNotEquals(perl.kind(), ours.kind(), "a documented deviation\nperl: " + perl + "\nours: " + ours);
                    return;
                }
                assertEquals(perl.kind(), ours.kind(), "perl: " + perl + "\nours: " + ours);
                KINDS.merge(perl.kind(), 1, Integer::sum);
                if (perl.kind().equals("REJECT")) {
                    assertNamesTheProblem(dir, perl.detail(), ours.detail());
                } else {
                    assertEquals(perl.detail(), ours.detail(), "perl: " + perl + "\nours: " + ours);
                }
                List<String> expected = perl.transcript();
                if (row.quirk() != null) {
                    expected = expected.stream().map(l -> l.matches(".*Will request authorization for: .*")
                            ? l.replaceAll(row.quirk()[0], row.quirk()[1]) : l).toList();
                    assertNotEquals(perl.transcript(), expected, "the documented quirk is not there: " + perl);
                }
                assertEquals(expected, ours.transcript(), "perl: " + perl + "\nours: " + ours);
            }));
        }
        assertTrue(rows.size() >= 80, "the table has " + rows.size() + " rows");
        return tests.stream();
    }

    /** Our error names the file (or the string with the bad specifier) and says what lacme says. */
    static void assertNamesTheProblem(Path dir, String perl, String ours) {
        boolean spec = ours.contains("specifier") || ours.contains("Undefined expansion");
        assertTrue(spec || ours.contains(dir.toString()), "our error names no file: " + ours + " (lacme: " + perl + ")");
        String p = perl.replaceFirst("^Error: ", "");
        if (p.startsWith("Unknown option") || p.startsWith("Invalid section") || p.startsWith("Syntax error")
                || p.startsWith("opendir(") || p.contains("has unknown specifier")) {
            assertTrue(ours.endsWith(p), "ours: " + ours + "\nlacme: " + perl);
        }
    }
}
