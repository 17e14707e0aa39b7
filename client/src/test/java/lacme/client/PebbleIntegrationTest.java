package lacme.client;

import lacme.client.acme.Problem;
import lacme.common.json.Json;
import lacme.testkit.Pebble;
import lacme.testkit.PebbleInstallation;
import lacme.testkit.TestCa;
import lacme.testkit.TestCsr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client's ACME logic against a real Pebble (the accountd side is a test responder). */
class PebbleIntegrationTest {
    static List<PebbleInstallation> installations() throws Exception {
        PebbleInstallation.preferred();
        return PebbleInstallation.available();
    }

    static Stream<Object[]> installationsAndKeys() throws Exception {
        List<Object[]> out = new ArrayList<>();
        for (PebbleInstallation i : installations()) {
            out.add(new Object[] {i, "RS256"});
            out.add(new Object[] {i, "ES256"});
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("installationsAndKeys")
    void registersAndIssuesForTwoNames(PebbleInstallation inst, String alg) throws Exception {
        try (Pebble pebble = Pebble.builder().installation(inst).start();
                InProcessClient c = new InProcessClient(pebble, alg.equals("RS256") ? TestAccountd.rsa() : TestAccountd.ec(), 30)) {
            Map<String, Object> acct = c.account(true, true, false, List.of("mailto:admin@example.org"));
            assertEquals(true, acct.get("ok"), String.valueOf(acct));
            Map<String, Object> obj = Json.parseObject((String) acct.get("account"));
            assertEquals("valid", obj.get("status"));
            assertEquals(List.of("mailto:admin@example.org"), obj.get("contact"));
            assertTrue(((String) acct.get("location")).startsWith("https://127.0.0.1:"));

            KeyPair service = TestCsr.rsa(2048);
            Map<String, Object> r = c.order("www", TestCsr.base64url(service, "a.example.org", "b.example.org"),
                    "a.example.org", "b.example.org");
            assertEquals(true, r.get("ok"), String.valueOf(r));
            List<X509Certificate> chain = TestCa.parseCertificates((String) r.get("chain"));
            assertTrue(chain.size() >= 2, "leaf + intermediate");
            X509Certificate leaf = chain.get(0);
            assertEquals(Set.of("a.example.org", "b.example.org"), sans(leaf));
            assertArrayEquals(service.getPublic().getEncoded(), leaf.getPublicKey().getEncoded());
            verifies(chain, pebble.issuingRootsPem());
            assertTrue(r.get("alternates") instanceof List);
            assertTrue(c.web.hits.get() >= 2, "Pebble fetched both challenge files");
            try (Stream<java.nio.file.Path> s = Files.list(c.challengeDir)) {
                assertEquals(0, s.count(), "challenge files removed");
            }
        }
    }

    /** Issue 4: 20 consecutive issuances all succeed while Pebble rejects half of the good nonces. */
    @Test
    void twentyIssuancesAtFiftyPercentNonceRejection() throws Exception {
        try (Pebble pebble = Pebble.builder().nonceReject(50).start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(), 60)) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
            for (int i = 0; i < 20; i++) {
                KeyPair k = TestCsr.ecP256();
                String n = "n" + i + ".example.org";
                String m = "m" + i + ".example.org";
                Map<String, Object> r = c.order("s" + i, TestCsr.base64url(k, n, m), n, m);
                assertEquals(true, r.get("ok"), "issuance " + i + ": " + r);
            }
            assertTrue(Files.readString(pebble.logPath()).contains("50% of good nonces"));
        }
    }

    /** Issue 4: Pebble's random validation delays (PEBBLE_VA_NOSLEEP unset) are waited out by polling. */
    @Test
    void randomValidationDelays() throws Exception {
        try (Pebble pebble = Pebble.builder().vaNoSleep(false).env("PEBBLE_VA_SLEEPTIME", "3").start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(), 60)) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
            Map<String, Object> r = c.order("slow", TestCsr.base64url(TestCsr.ecP256(), "s1.example.org",
                    "s2.example.org"), "s1.example.org", "s2.example.org");
            assertEquals(true, r.get("ok"), String.valueOf(r));
            assertFalse(Files.readString(pebble.logPath()).contains("Disabling random VA sleeps"));
        }
    }

    /** Issue 4: revocation signed with the certificate's own key (JWK), when accountd holds that key. */
    @Test
    void revokesWithTheCertificateKey() throws Exception {
        try (Pebble pebble = Pebble.start()) {
            KeyPair service = TestCsr.rsa(2048);
            X509Certificate leaf;
            try (InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(), 30)) {
                assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
                Map<String, Object> r = c.order("k", TestCsr.base64url(service, "k.example.org"), "k.example.org");
                assertEquals(true, r.get("ok"), String.valueOf(r));
                leaf = TestCa.parseCertificates((String) r.get("chain")).get(0);
            }
            TestAccountd certKey = new TestAccountd(new com.nimbusds.jose.jwk.RSAKey.Builder(
                    (java.security.interfaces.RSAPublicKey) service.getPublic()).privateKey(service.getPrivate()).build(),
                    com.nimbusds.jose.JWSAlgorithm.RS256);
            try (InProcessClient c = new InProcessClient(pebble, certKey, 30)) {
                Map<String, Object> rv = c.revoke(Base64.getUrlEncoder().withoutPadding().encodeToString(leaf.getEncoded()),
                        null);
                assertEquals(true, rv.get("ok"), String.valueOf(rv));
            }
            assertTrue(pebble.certStatus(leaf.getSerialNumber()).revoked());
        }
    }

    /** Pebble 2.10 sends Retry-After on pending orders when configured; the client waits that long. */
    @Test
    void honoursPebbleRetryAfter() throws Exception {
        PebbleInstallation inst = PebbleInstallation.preferred();
        org.junit.jupiter.api.Assumptions.assumeTrue(inst.atLeast(2, 10), "Retry-After needs Pebble 2.10");
        try (Pebble pebble = Pebble.builder().installation(inst).config("retryAfter", Map.of("authz", 2, "order", 2))
                .start(); InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(), 30)) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
            long t0 = System.nanoTime();
            Map<String, Object> r = c.order("ra", TestCsr.base64url(TestCsr.ecP256(), "ra.example.org"), "ra.example.org");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(true, r.get("ok"), String.valueOf(r));
            // Pebble 2.10 sends Retry-After as an HTTP date (whole seconds) on the finalize answer:
            // "2 s" is 1-2 s by our clock; the backoff alone (250 + 500 ms) stays under 1 s
            assertTrue(ms >= 1000, "waited for Retry-After at least once: " + ms + " ms");
        }
    }

    @Test
    void unknownAccountIsAClearError() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(), 30)) {
            Map<String, Object> r = c.account(false, false, false, List.of());
            assertEquals(false, r.get("ok"));
            String e = (String) r.get("error");
            assertTrue(e.contains(Problem.ACME_PREFIX + "accountDoesNotExist") && e.contains("--register"), e);
            Map<String, Object> o = c.order("x", TestCsr.base64url(TestCsr.ecP256(), "x.example.org"), "x.example.org");
            assertEquals(false, o.get("ok"));
            assertTrue(((String) o.get("error")).contains("accountDoesNotExist"), String.valueOf(o));
        }
    }

    @Test
    void accountFetchUpdateAndDeactivate() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(), 30)) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
            Map<String, Object> fetched = c.account(false, false, false, List.of());
            assertEquals(true, fetched.get("ok"), String.valueOf(fetched));
            Map<String, Object> upd = c.account(false, false, false, List.of("mailto:new@example.org"));
            assertEquals(List.of("mailto:new@example.org"), Json.parseObject((String) upd.get("account")).get("contact"));
            Map<String, Object> deact = c.account(false, false, true, List.of());
            assertEquals(true, deact.get("ok"), String.valueOf(deact));
            assertEquals("deactivated", Json.parseObject((String) deact.get("account")).get("status"));
        }
    }

    @Test
    void revokesWithTheAccountKey() throws Exception {
        try (Pebble pebble = Pebble.start();
                InProcessClient c = new InProcessClient(pebble, TestAccountd.rsa(), 30)) {
            assertEquals(true, c.account(true, true, false, List.of()).get("ok"));
            Map<String, Object> r = c.order("r", TestCsr.base64url(TestCsr.ecP256(), "r.example.org"), "r.example.org");
            assertEquals(true, r.get("ok"), String.valueOf(r));
            X509Certificate leaf = TestCa.parseCertificates((String) r.get("chain")).get(0);
            assertFalse(pebble.certStatus(leaf.getSerialNumber()).revoked());
            Map<String, Object> rv = c.revoke(Base64.getUrlEncoder().withoutPadding().encodeToString(leaf.getEncoded()), 4);
            assertEquals(true, rv.get("ok"), String.valueOf(rv));
            Pebble.CertStatus st = pebble.certStatus(leaf.getSerialNumber());
            assertNotNull(st);
            assertTrue(st.revoked(), String.valueOf(st));
            assertEquals(4, st.reason());
        }
    }

    static Set<String> sans(X509Certificate c) throws Exception {
        Set<String> out = new TreeSet<>();
        for (List<?> e : c.getSubjectAlternativeNames()) {
            if (((Integer) e.get(0)) == 2) {
                out.add((String) e.get(1));
            }
        }
        return out;
    }

    static void verifies(List<X509Certificate> chain, String rootsPem) throws Exception {
        Set<TrustAnchor> anchors = new java.util.HashSet<>();
        for (X509Certificate r : TestCa.parseCertificates(rootsPem)) {
            anchors.add(new TrustAnchor(r, null));
        }
        PKIXParameters p = new PKIXParameters(anchors);
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), p);
    }
}
