package lacme.client;

import org.junit.jupiter.api.Test;

import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lacme's SSL_version / SSL_cipher_list values mapped to JSSE, or refused. */
class TlsSettingsTest {
    @Test
    void lacmeDefaultVersionStringMeansTls12And13() {
        assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"},
                TlsSettings.protocols("SSLv23:!TLSv1_1:!TLSv1:!SSLv3:!SSLv2"));
        assertNull(TlsSettings.protocols(null));
        assertNull(TlsSettings.protocols(" "));
    }

    @Test
    void singleVersions() {
        assertArrayEquals(new String[] {"TLSv1.2"}, TlsSettings.protocols("TLSv1_2"));
        assertArrayEquals(new String[] {"TLSv1.3"}, TlsSettings.protocols("SSLv23:!TLSv1_2"));
        assertArrayEquals(new String[] {"TLSv1.3"}, TlsSettings.protocols("TLSv1.3"));
    }

    @Test
    void obsoleteOrUnknownVersionsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsSettings.protocols("TLSv1"));
        assertTrue(e.getMessage().contains("obsolete"));
        assertThrows(IllegalArgumentException.class, () -> TlsSettings.protocols("SSLv3"));
        assertThrows(IllegalArgumentException.class, () -> TlsSettings.protocols("QUIC"));
        assertThrows(IllegalArgumentException.class, () -> TlsSettings.protocols("!TLSv1_2:!TLSv1_3"));
    }

    private static List<String> select(String spec) throws Exception {
        SSLEngine e = SSLContext.getDefault().createSSLEngine();
        return OpenSslCiphers.select(spec, List.of(e.getSupportedCipherSuites()), List.of(e.getEnabledCipherSuites()));
    }

    @Test
    void lacmeExampleCipherList() throws Exception {
        List<String> c = select("EECDH+AESGCM:!MEDIUM:!LOW:!EXP:!aNULL:!eNULL");
        assertTrue(c.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), c.toString());
        assertTrue(c.contains("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), c.toString());
        assertTrue(c.contains("TLS_AES_128_GCM_SHA256"), "TLS 1.3 suites kept");
        for (String s : c) {
            assertTrue(OpenSslCiphers.isTls13(s) || (s.startsWith("TLS_ECDHE_") && s.contains("_GCM_")), s);
        }
    }

    @Test
    void exclusionsAndNames() throws Exception {
        List<String> c = select("HIGH:!aNULL:!kRSA:!SHA1:-AES128:ECDHE-RSA-CHACHA20-POLY1305");
        assertFalse(c.contains("TLS_RSA_WITH_AES_256_GCM_SHA384"));
        assertFalse(c.contains("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"));
        assertFalse(c.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assertTrue(c.contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        assertTrue(c.contains("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                select("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").stream().filter(s -> !OpenSslCiphers.isTls13(s)).toList());
        assertEquals("ECDHE-RSA-AES128-SHA", OpenSslCiphers.openSslName("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"));
        assertEquals("AES256-GCM-SHA384", OpenSslCiphers.openSslName("TLS_RSA_WITH_AES_256_GCM_SHA384"));
    }

    @Test
    void permanentExclusionWins() throws Exception {
        List<String> c = select("!ECDSA:ECDHE+AESGCM");
        assertTrue(c.stream().noneMatch(s -> s.contains("ECDSA")), c.toString());
    }

    @Test
    void unknownElementsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> select("FROBNICATE"));
        assertTrue(e.getMessage().contains("'FROBNICATE'"));
    }

    @Test
    void cipherListThatSelectsNothingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TlsSettings.create(true, null, null, "RC4"));
        TlsSettings only13 = assertDoesNotThrow(() -> TlsSettings.create(true, null, "TLSv1_3", "RC4"));
        assertArrayEquals(new String[] {"TLSv1.3"}, only13.protocols());
    }

    @Test
    void caFileMustHoldCertificates() {
        assertThrows(java.security.GeneralSecurityException.class,
                () -> TlsSettings.create(true, "not a pem", null, null));
    }

    @Test
    void verificationOffIsExplicit() throws Exception {
        TlsSettings t = TlsSettings.create(false, null, null, null);
        assertFalse(t.verify());
        assertNull(t.ciphers());
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> s) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
    }
}
