package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, dns-01 through a hook, against a real Pebble 2.10 whose DNS is a real
 * pebble-challtestsrv, through the distribution's launchers: the section's {@code dns-hook} (a
 * python3 script calling challtestsrv's management API {@code /set-txt} and {@code /clear-txt})
 * runs as the unprivileged user (it records {@code id -u}); a DNS name and a wildcard
 * certificate with its base name are issued; a hook that fails and a hook that outlives
 * {@code dns-hook-timeout} each fail their section with exit 1 and one line naming it, and no
 * TXT record is left behind (asked of challtestsrv's DNS server itself), nor after SIGTERM or
 * SIGINT while the hook runs.
 */
class Dns01IT {
    static Pebble pebble;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    /**
     * The hook: {@code hook.py MODE add|remove NAME VALUE SECTION}; logs "uid action name
     * section", sets (resp. clears) the record, then on add fails (MODE fail) or hangs (MODE slow).
     */
    static Path hook(Path dir) throws IOException {
        Path log = dir.resolve("hook.log");
        Files.writeString(log, "");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path hook = dir.resolve("hook.py");
        Files.writeString(hook, "#!/usr/bin/python3\nimport json, os, sys, time, urllib.request\n"
                + "mode, action, name, value, section = sys.argv[1:6]\n"
                + "with open('" + log + "', 'a') as f:\n"
                + "    f.write('%d %s %s %s\\n' % (os.getuid(), action, name, section))\n"
                + "body = {'host': name + '.'}\n"
                + "if action == 'add':\n    body['value'] = value\n"
                + "req = urllib.request.Request('" + pebble.challtestsrvManagementUrl() + "'"
                + " + ('set-txt' if action == 'add' else 'clear-txt'), data=json.dumps(body).encode(), method='POST')\n"
                + "urllib.request.urlopen(req, timeout=10).read()\n"
                + "if action == 'add' and mode == 'fail':\n    sys.exit(1)\n"
                + "if action == 'add' and mode == 'slow':\n    time.sleep(60)\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        return hook;
    }

    /** A tree whose lacme-certs.conf has the CAfile, {@code challenge = dns-01} as default, and {@code certs}. */
    static Path tree(Path dir, String certs) throws Exception {
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = List.of("dns");
        // http-01 cannot succeed: its webserver listens on a UNIX socket Pebble cannot reach
        s.webserver.put("listen", dir.resolve("www.socket").toString());
        Path conf = Tree.write(dir, s);
        Files.writeString(dir.resolve("lacme-certs.conf"), "CAfile = " + dir.resolve("pebble-roots.pem") + "\n"
                + "challenge = dns-01\n" + certs);
        Dist.register(dir, conf);
        return conf;
    }

    @Test
    void issuesByDns01ADnsNameAndAWildcardWithTheHookUnprivileged() throws Exception {
        Path hook = hook(tmp);
        Path conf = tree(tmp, "");
        Files.copy(tmp.resolve("dns.key"), tmp.resolve("wild.key"));
        Files.writeString(tmp.resolve("lacme-certs.conf"), Files.readString(tmp.resolve("lacme-certs.conf"))
                + TlsAlpnIT.section(tmp, "dns", "/CN=dns.example.test", "DNS:dns.example.test",
                        "dns-hook = " + hook + " ok\n")
                + TlsAlpnIT.section(tmp, "wild", "/CN=wild.example.test", "DNS:*.wild.example.test,DNS:wild.example.test",
                        "dns-hook = " + hook + " ok\ndns-hook-user = nobody\n"));
        Dist.Run run = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"), 180);
        assertEquals(0, run.exit(), run.toString());
        assertFalse(run.stderr().contains("Exception"), run.toString());
        X509Certificate dns = Certs.parse(tmp.resolve("dns.crt")).get(0);
        assertEquals(Set.of("dns.example.test"), Certs.dnsNames(dns));
        List<X509Certificate> wild = Certs.parse(tmp.resolve("wild.chain.pem"));
        assertEquals(Set.of("*.wild.example.test", "wild.example.test"), Certs.dnsNames(wild.get(0)));
        Certs.verifiesToPebbleRoot(wild, pebble);

        List<String> log = Files.readAllLines(tmp.resolve("hook.log"));
        String nobody = "65534"; // the default dns-hook-user (the drop needs root: these tests run as root)
        assertEquals(6, log.size(), "two records for wild (the wildcard and its base share one name), one for dns,"
                + " each added and removed: " + log);
        for (String l : log) {
            assertTrue(l.startsWith(nobody + " "), "the hook runs as the unprivileged user: " + log);
        }
        assertEquals(2, log.stream().filter(l -> l.equals(nobody + " add _acme-challenge.wild.example.test wild"))
                .count(), log.toString());
        assertTrue(log.contains(nobody + " remove _acme-challenge.dns.example.test dns"), log.toString());
        for (String name : List.of("_acme-challenge.dns.example.test", "_acme-challenge.wild.example.test")) {
            assertEquals(0, txtAnswers(name), "no TXT record left behind for " + name);
        }
    }

    @Test
    void aFailingOrHangingHookFailsItsSectionInOneLineAndLeavesNoRecord(@TempDir Path dir) throws Exception {
        Path hook = hook(dir);
        Path conf = tree(dir, "");
        for (String s : List.of("fail", "slow", "nohook")) {
            Files.copy(dir.resolve("dns.key"), dir.resolve(s + ".key"));
        }
        Files.writeString(dir.resolve("lacme-certs.conf"), Files.readString(dir.resolve("lacme-certs.conf"))
                + TlsAlpnIT.section(dir, "fail", "/CN=fail.example.test", "DNS:fail.example.test",
                        "dns-hook = " + hook + " fail\n")
                + TlsAlpnIT.section(dir, "slow", "/CN=slow.example.test", "DNS:slow.example.test",
                        "dns-hook = " + hook + " slow\ndns-hook-timeout = 3\n")
                + TlsAlpnIT.section(dir, "nohook", "/CN=nohook.example.test", "DNS:nohook.example.test", ""));
        long t0 = System.nanoTime();
        Dist.Run run = Dist.run(dir, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder", "fail", "slow",
                "nohook"), 180);
        assertTrue(System.nanoTime() - t0 < 50_000_000_000L, "the hung hook was stopped at its timeout");
        assertEquals(1, run.exit(), run.toString());
        assertFalse(run.stderr().contains("Exception"), run.toString());
        // one line per section, and nothing else: no complaint from the killed hook's namespace
        assertEquals(List.of("[ERROR] lacme - [fail] Error: Couldn't issue X.509 certificate: dns-hook add"
                + " _acme-challenge.fail.example.test failed (exit status 1)",
                "[ERROR] lacme - [slow] Error: Couldn't issue X.509 certificate: dns-hook add"
                + " _acme-challenge.slow.example.test timed out after 3 s"),
                run.stderr().lines().filter(l -> !l.contains("[nohook]")).sorted().toList(), run.toString());
        assertEquals(List.of("[WARN] lacme - [nohook] Error: dns-hook: required when 'challenge' lists dns-01,"
                + " skipping"), run.stderr().lines().filter(l -> l.contains("[nohook]")).toList(), run.toString());
        List<String> log = Files.readAllLines(dir.resolve("hook.log"));
        for (String s : List.of("fail", "slow")) {
            assertTrue(log.stream().anyMatch(l -> l.endsWith(" remove _acme-challenge." + s + ".example.test " + s)),
                    "removed after the failed add: " + log);
            assertEquals(0, txtAnswers("_acme-challenge." + s + ".example.test"), "no TXT record left behind");
        }
        assertFalse(Files.exists(dir.resolve("fail.crt")) || Files.exists(dir.resolve("slow.crt")));
    }

    /** SIGTERM or SIGINT while the hook publishes: exit 1, the record removed all the same. */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalWhileTheHookRunsStillRemovesTheRecord(String sig, @TempDir Path dir) throws Exception {
        Path hook = hook(dir);
        Path conf = tree(dir, "");
        Files.copy(dir.resolve("dns.key"), dir.resolve("hang.key"));
        Files.writeString(dir.resolve("lacme-certs.conf"), Files.readString(dir.resolve("lacme-certs.conf"))
                + TlsAlpnIT.section(dir, "hang", "/CN=hang.example.test", "DNS:hang.example.test",
                        "dns-hook = " + hook + " slow\n"));
        String name = "_acme-challenge.hang.example.test";
        Dist.Run r;
        try (MasterRun m = MasterRun.start(dir, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"))) {
            assertTrue(m.await(x -> {
                try {
                    return txtAnswers(name) == 1;
                } catch (IOException e) {
                    return false;
                }
            }, 60), "the hook published the record:\n" + m.stderr());
            m.signal(sig);
            r = m.finish(60);
        }
        assertEquals(1, r.exit(), r.toString());
        assertEquals(0, txtAnswers(name), "no TXT record left behind after SIG" + sig);
        assertTrue(Files.readAllLines(dir.resolve("hook.log")).stream()
                .anyMatch(l -> l.endsWith(" remove " + name + " hang")), r.toString());
        assertFalse(r.stderr().contains("\tat "), "no stack trace: " + r.stderr());
    }

    /** The number of TXT answers challtestsrv's DNS server gives for {@code name} (one UDP query). */
    static int txtAnswers(String name) throws IOException {
        ByteBuffer q = ByteBuffer.allocate(512);
        q.putShort((short) 0x4c41).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            q.put((byte) b.length).put(b);
        }
        q.put((byte) 0).putShort((short) 16).putShort((short) 1);
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            s.send(new DatagramPacket(q.array(), q.position(), InetAddress.getLoopbackAddress(), pebble.dnsPort()));
            byte[] buf = new byte[4096];
            DatagramPacket r = new DatagramPacket(buf, buf.length);
            s.receive(r);
            ByteBuffer a = ByteBuffer.wrap(buf, 0, r.getLength());
            assertEquals(0x4c41, a.getShort(0) & 0xffff, "the answer to our query");
            assertEquals(0, a.getShort(2) & 0xf, "rcode NOERROR");
            return a.getShort(6) & 0xffff;
        }
    }
}
