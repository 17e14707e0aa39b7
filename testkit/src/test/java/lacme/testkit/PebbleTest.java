package lacme.testkit;

import lacme.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixture itself, against every Pebble installed (the fetched 2.10 and Debian 12's 2.4). */
class PebbleTest {
    static List<PebbleInstallation> installations() throws Exception {
        PebbleInstallation.preferred(); // fetches build/pebble when it can
        List<PebbleInstallation> all = PebbleInstallation.available();
        assertFalse(all.isEmpty(), "no Pebble installed");
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installations")
    void startsServesAndStops(PebbleInstallation inst) throws Exception {
        Pebble p = Pebble.builder().installation(inst).nonceReject(0).start();
        int[] ports;
        long pid;
        long ctsPid;
        try {
            ports = new int[] {p.directoryUrl().getPort(), p.managementUrl().getPort(), p.dnsPort(),
                    p.challtestsrvManagementUrl().getPort()};
            pid = p.pid();
            ctsPid = p.challtestsrvPid();
            HttpClient http = HttpClient.newBuilder().sslContext(p.sslContext()).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(p.directoryUrl()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            Map<String, Object> dir = Json.parseObject(r.body());
            assertTrue(dir.get("newNonce") instanceof String, r.body());
            assertTrue(URI.create((String) dir.get("newOrder")).getHost().equals("127.0.0.1"));

            List<X509Certificate> roots = TestCa.parseCertificates(p.issuingRootsPem());
            assertEquals(1, roots.size());
            roots.get(0).verify(roots.get(0).getPublicKey());
            assertEquals(1, TestCa.parseCertificates(p.intermediatePem(0)).size());
            assertNull(p.certStatus(BigInteger.valueOf(0x1234567)));
            assertTrue(Files.readString(p.caPemPath()).contains("BEGIN CERTIFICATE"));
            assertTrue(p.httpPort() > 0 && p.httpPort() != p.tlsPort());
        } finally {
            p.close();
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(ProcessHandle.of(ctsPid).map(ProcessHandle::isAlive).orElse(false));
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertEquals(port, s.getLocalPort());
            }
        }
        assertFalse(Files.exists(p.directory()));
    }

    @Test
    void failedStartShowsTheLog() throws Exception {
        // An unparsable extra config member makes pebble exit at once.
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Pebble.builder().config("httpPort", "not a number").start());
        assertTrue(e.getMessage().contains("log tail"), e.getMessage());
    }
}
