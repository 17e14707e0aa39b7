package lacme.client;

import lacme.common.proto.Control.Hello;
import lacme.testkit.Pebble;
import lacme.testkit.TestCa;
import lacme.testkit.TestCsr;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retry rules against real network failures: Pebble behind a loopback proxy that
 * resets new connections before their TLS handshake and closes idle ones. Pebble builds
 * its URLs from the Host header, so every request goes through the proxy. What a reset
 * during the handshake looks like (a plain "Connection reset" SocketException) and that
 * it is recognised as "not sent" is only testable here, with HttpClient's real stack.
 */
class FlakyNetworkIntegrationTest {
    private static String through(Pebble pebble, CuttingProxy proxy) {
        URI d = pebble.directoryUrl();
        return d.toString().replace(":" + d.getPort() + "/", ":" + proxy.port() + "/");
    }

    @Test
    void issuancesSurviveResetAndIdleClosedConnections() throws Exception {
        try (Pebble pebble = Pebble.start();
                CuttingProxy proxy = new CuttingProxy(pebble.directoryUrl().getPort(), 2, 150);
                InProcessClient c = new InProcessClient(pebble, TestAccountd.ec(),
                        new Hello(through(pebble, proxy), 60, true, null, null, pebble.caPem(), true))) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
            for (int i = 0; i < 4; i++) {
                String n = "f" + i + ".example.org";
                // idle longer than the proxy allows: polling alone (tens of ms) no longer idles a
                // connection out, so every order starts on a connection the proxy has closed
                Thread.sleep(300);
                Map<String, Object> r = c.order("s" + i, TestCsr.base64url(TestCsr.ecP256(), n), n);
                assertEquals(true, r.get("ok"), "order " + i + ": " + r);
                assertTrue(((String) r.get("chain")).contains("BEGIN CERTIFICATE"));
            }
            assertTrue(proxy.cut.get() >= 4, "connections were reset: " + proxy.cut);
        }
    }

    /** A newOrder whose connection is reset during the handshake never left: it is sent again. */
    @Test
    void aNewOrderResetBeforeItLeftIsSentAgain() throws Exception {
        try (Pebble pebble = Pebble.start();
                CuttingProxy proxy = new CuttingProxy(pebble.directoryUrl().getPort(), 0, 100);
                InProcessClient c = new InProcessClient(pebble, TestAccountd.ec(),
                        new Hello(through(pebble, proxy), 60, true, null, null, pebble.caPem(), true))) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
            Thread.sleep(400); // the proxy closes the idle connection; the next request needs a new one
            proxy.cutNext.set(1);
            Map<String, Object> r = c.order("n", TestCsr.base64url(TestCsr.ecP256(), "n.example.org"),
                    "n.example.org");
            assertEquals(true, r.get("ok"), String.valueOf(r));
            assertEquals(1, proxy.cut.get());

            // and a revocation likewise: sent again, not reported as alreadyRevoked
            X509Certificate leaf = TestCa.parseCertificates((String) r.get("chain")).get(0);
            Thread.sleep(400);
            proxy.cutNext.set(1);
            Map<String, Object> rv = c.revoke(Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(leaf.getEncoded()), 1);
            assertEquals(true, rv.get("ok"), String.valueOf(rv));
            assertEquals(2, proxy.cut.get());
            assertTrue(pebble.certStatus(leaf.getSerialNumber()).revoked());
        }
    }
}
