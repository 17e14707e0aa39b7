package lacme.client;

import lacme.common.json.Json;
import lacme.common.proto.ControlCodec;
import lacme.testkit.Pebble;
import lacme.testkit.TestCa;
import lacme.testkit.TestCsr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;
import org.newsclub.net.unix.FileDescriptorCast;

import java.io.FileDescriptor;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code java lacme.client.ClientMain} as the master will: a socketpair end as fd 0
 * and (duplicated) fd 1, the accountd connection passed with SCM_RIGHTS on hello, cwd in
 * the challenge directory.
 */
class ClientProcessTest {
    private Path dir;
    private Path stderr;
    private AFUNIXSocketPair<AFUNIXSocketChannel> control;
    private AFUNIXSocketPair<AFUNIXSocketChannel> accountd;
    private Process process;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("lacme-client-proc-");
        stderr = Files.createTempFile("lacme-client-", ".err");
        control = AFUNIXSocketPair.open();
        accountd = AFUNIXSocketPair.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (process != null) {
            process.destroyForcibly();
        }
        control.close();
        accountd.close();
        Files.deleteIfExists(stderr);
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void spawn() throws Exception {
        FileDescriptor child = control.getSocket2().getFileDescriptor();
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "lacme.client.ClientMain", "--debug")
                .directory(dir.toFile())
                .redirectInput(FileDescriptorCast.using(child).as(ProcessBuilder.Redirect.class))
                .redirectOutput(FileDescriptorCast.duplicating(child).as(ProcessBuilder.Redirect.class))
                .redirectError(stderr.toFile())
                .start();
    }

    private void send(Map<String, Object> frame, boolean withAccountd) throws Exception {
        AFUNIXSocketChannel m = control.getSocket1();
        if (withAccountd) {
            m.setOutboundFileDescriptors(accountd.getSocket2().getFileDescriptor());
        }
        ControlCodec.write(Channels.newOutputStream(m), frame);
    }

    private Map<String, Object> receive() throws Exception {
        return ControlCodec.read(Channels.newInputStream(control.getSocket1()));
    }

    private int exitAfterEof() throws Exception {
        control.getSocket1().shutdownOutput();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "client exits after EOF");
        return process.exitValue();
    }

    private Map<String, Object> hello(Pebble pebble) throws Exception {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("op", "hello");
        h.put("version", 1);
        h.put("server", pebble.directoryUrl().toString());
        h.put("timeout", 30);
        h.put("ssl_verify", true);
        h.put("ca_pem", pebble.caPem());
        h.put("debug", true);
        return h;
    }

    /** An account request "acct-1": registration (with the terms agreed) or a look-up. */
    private static Map<String, Object> account(boolean register, List<String> contacts) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("op", "account");
        a.put("id", "acct-1");
        a.put("register", register);
        a.put("tos_agreed", register);
        a.put("deactivate", false);
        a.put("contacts", contacts);
        return a;
    }

    @Test
    @SuppressWarnings("try")
    void registersAndIssuesThroughTheControlChannel() throws Exception {
        try (Pebble pebble = Pebble.start(); ChallengeServer web = new ChallengeServer(pebble.httpPort(), dir)) {
            TestAccountd acc = TestAccountd.rsa();
            acc.start(Channels.newInputStream(accountd.getSocket1()), Channels.newOutputStream(accountd.getSocket1()));
            spawn();
            send(hello(pebble), true);

            send(account(true, List.of("mailto:ops@example.org")), false);
            Map<String, Object> r = receive();
            assertEquals("result", r.get("op"));
            assertEquals("acct-1", r.get("id"));
            assertEquals(true, r.get("ok"), r + "\n" + Files.readString(stderr));
            assertEquals("valid", Json.parseObject((String) r.get("account")).get("status"), String.valueOf(r));

            Map<String, Object> o = new LinkedHashMap<>();
            o.put("op", "order");
            o.put("id", 7);
            o.put("section", "www");
            o.put("identifiers", List.of(Map.of("type", "dns", "value", "p.example.org"),
                    Map.of("type", "dns", "value", "q.example.org")));
            o.put("csr", TestCsr.base64url(TestCsr.ecP256(), "p.example.org", "q.example.org"));
            send(o, false);
            r = receive();
            assertEquals(7L, ((Number) r.get("id")).longValue());
            assertEquals(true, r.get("ok"), r + "\n" + Files.readString(stderr));
            assertTrue(TestCa.parseCertificates((String) r.get("chain")).size() >= 2);
            try (var s = Files.list(dir)) {
                assertEquals(0, s.count(), "challenge files removed from the cwd");
            }
            assertEquals(0, exitAfterEof(), Files.readString(stderr));
            String err = Files.readString(stderr);
            assertTrue(err.contains("INFO] lacme-client - Key ID: https://127.0.0.1:"), err);
            assertFalse(err.contains("Exception"), err);
            System.out.println("client stderr:\n" + err);
        }
    }

    /** Issue 4: one client process serves ten orders sent at once, answering each once; a failing one stops nothing. */
    @Test
    @SuppressWarnings("try")
    void tenOrdersInOneProcess() throws Exception {
        try (Pebble pebble = Pebble.start(); ChallengeServer web = new ChallengeServer(pebble.httpPort(), dir)) {
            TestAccountd acc = TestAccountd.ec();
            acc.start(Channels.newInputStream(accountd.getSocket1()), Channels.newOutputStream(accountd.getSocket1()));
            spawn();
            Map<String, Object> hello = hello(pebble);
            hello.put("max_parallel", 3);
            send(hello, true);
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("op", "account");
            a.put("id", 0);
            a.put("register", true);
            a.put("tos_agreed", true);
            send(a, false);
            assertEquals(true, receive().get("ok"));
            for (int i = 1; i <= 10; i++) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("op", "order");
                o.put("id", i);
                o.put("section", "s" + i);
                String n = "host" + i + ".example.org";
                o.put("identifiers", List.of(Map.of("type", "dns", "value", n)));
                o.put("csr", TestCsr.base64url(TestCsr.ecP256(), n));
                send(o, false);
            }
            Map<String, Object> bad = new LinkedHashMap<>();
            bad.put("op", "order");
            bad.put("id", "bad");
            bad.put("section", "broken");
            bad.put("identifiers", List.of(Map.of("type", "dns", "value", "under_score.example.org")));
            bad.put("csr", TestCsr.base64url(TestCsr.ecP256(), "under_score.example.org"));
            send(bad, false);
            java.util.Set<Long> ids = new java.util.TreeSet<>();
            for (int i = 1; i <= 11; i++) {
                Map<String, Object> r = receive();
                if ("bad".equals(r.get("id"))) {
                    assertEquals(false, r.get("ok"));
                    assertTrue(((String) r.get("error")).contains("urn:ietf:params:acme:error:"), String.valueOf(r));
                    continue;
                }
                assertEquals(true, r.get("ok"), r + "\n" + Files.readString(stderr));
                assertTrue(ids.add(((Number) r.get("id")).longValue()), "one answer per request");
                String n = "host" + r.get("id") + ".example.org";
                X509Certificate leaf = TestCa.parseCertificates((String) r.get("chain")).get(0);
                assertEquals(java.util.Set.of(n), PebbleIntegrationTest.sans(leaf));
            }
            assertEquals(10, ids.size());
            assertTrue(process.isAlive(), "the same process served every order");
            assertEquals(0, exitAfterEof(), Files.readString(stderr));
            assertTrue(Files.readString(stderr).contains("serving requests, at most 3 at once"),
                    "hello's max_parallel is used");
        }
    }

    @Test
    void helloWithAnOutOfRangeMaxParallelExitsOne() throws Exception {
        try (Pebble pebble = Pebble.start()) {
            spawn();
            Map<String, Object> hello = hello(pebble);
            hello.put("max_parallel", 17);
            send(hello, true);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, process.exitValue());
            String err = Files.readString(stderr);
            assertTrue(err.contains("protocol error") && err.contains("max_parallel 17"), err);
        }
    }

    @Test
    void eofBeforeHelloExitsZero() throws Exception {
        spawn();
        assertEquals(0, exitAfterEof(), Files.readString(stderr));
    }

    @Test
    void garbageFrameExitsOneWithOneLine() throws Exception {
        spawn();
        control.getSocket1().write(ByteBuffer.wrap(new byte[] {0x7f, 0, 0, 0, 'x'}));
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue());
        String err = Files.readString(stderr);
        assertTrue(err.contains("protocol error") && err.contains("length"), err);
    }

    /**
     * Hello may come without accountd (issue 13: renewal info needs no signature), but then an
     * account request, which signs, is a protocol error: exit 1 naming it.
     */
    @Test
    void aSigningRequestBeforeAccountdExitsOne() throws Exception {
        try (Pebble pebble = Pebble.start()) {
            spawn();
            send(hello(pebble), false);
            send(account(false, List.of()), false);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, process.exitValue());
            String err = Files.readString(stderr);
            assertTrue(err.contains("'account' request before the lacme-accountd connection"), err);
        }
    }

}
