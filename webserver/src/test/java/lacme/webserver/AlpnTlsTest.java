package lacme.webserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.ASN1OctetString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** tls-alpn-01 certificates and the refusal of every other TLS client, over real loopback handshakes. */
class AlpnTlsTest {
    static final String KEY_AUTHZ = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

    @TempDir
    Path dir;
    SSLServerSocket server;
    Thread acceptor;

    @BeforeEach
    void start() throws Exception {
        AlpnTls tls = new AlpnTls(new AlpnCertificates(new ChallengeFiles(dir, Limits.DEFAULT.maxFileSize())),
                LoggerFactory.getLogger("test"));
        server = (SSLServerSocket) tls.context().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (SSLSocket s = tls.configure((SSLSocket) server.accept())) {
                    s.setSoTimeout(5000);
                    s.startHandshake();
                } catch (IOException e) {
                    // refused handshakes end here
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        acceptor.join(5000);
    }

    /** A handshake as a CA makes it (trusting anything: the test inspects the certificate). */
    X509Certificate handshake(String sni, String... alpn) throws Exception {
        return handshake(server.getLocalPort(), sni, alpn);
    }

    /** A handshake with the responder on loopback {@code port}; returns the certificate presented. */
    static X509Certificate handshake(int port, String sni, String... alpn) throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) c.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(5000);
            SSLParameters p = s.getSSLParameters();
            if (sni != null) {
                p.setServerNames(List.of(new SNIHostName(sni)));
            }
            p.setApplicationProtocols(alpn);
            s.setSSLParameters(p);
            s.startHandshake();
            assertEquals(AlpnCertificates.PROTOCOL, s.getApplicationProtocol());
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    void challenge(String name, String content) throws IOException {
        Files.writeString(dir.resolve(AlpnCertificates.PREFIX + name), content);
    }

    static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void certificateCarriesCriticalDigestAndName() throws Exception {
        challenge("www.example.org", KEY_AUTHZ);
        X509Certificate cert = handshake("WWW.example.org", AlpnCertificates.PROTOCOL);
        assertTrue(cert.getCriticalExtensionOIDs().contains("1.3.6.1.5.5.7.1.31"));
        byte[] ext = ASN1OctetString.getInstance(cert.getExtensionValue("1.3.6.1.5.5.7.1.31")).getOctets();
        assertArrayEquals(ASN1OctetString.getInstance(ext).getOctets(), sha256(KEY_AUTHZ));
        Collection<List<?>> san = cert.getSubjectAlternativeNames();
        assertEquals(List.of(List.of(2, "www.example.org")), List.copyOf(san));
    }

    @Test
    void reverseNameGivesIpAddressSan() throws Exception {
        challenge("1.0.0.127.in-addr.arpa", KEY_AUTHZ + "\n");
        X509Certificate cert = handshake("1.0.0.127.in-addr.arpa", AlpnCertificates.PROTOCOL);
        assertEquals(List.of(List.of(7, "127.0.0.1")), List.copyOf(cert.getSubjectAlternativeNames()));
        String v6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
        assertEquals(InetAddress.getByName("2001:db8::1"), AlpnCertificates.reverseName(v6));
        assertNull(AlpnCertificates.reverseName("256.0.0.127.in-addr.arpa"));
        assertNull(AlpnCertificates.reverseName("example.org"));
    }

    @Test
    void clientWithoutAlpnIsRefused() throws Exception {
        challenge("www.example.org", KEY_AUTHZ);
        assertThrows(SSLException.class, () -> handshake("www.example.org"));
    }

    @Test
    void otherAlpnIsRefused() throws Exception {
        challenge("www.example.org", KEY_AUTHZ);
        assertThrows(SSLException.class, () -> handshake("www.example.org", "h2", "http/1.1"));
    }

    @Test
    void unknownOrMissingNameIsRefused() throws Exception {
        challenge("www.example.org", KEY_AUTHZ);
        assertThrows(SSLException.class, () -> handshake("other.example.org", AlpnCertificates.PROTOCOL));
        assertThrows(SSLException.class, () -> handshake(null, AlpnCertificates.PROTOCOL));
    }

    @Test
    void hostileFilesAreRefused() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), KEY_AUTHZ);
        Files.createSymbolicLink(dir.resolve(AlpnCertificates.PREFIX + "link.example.org"), secret);
        assertThrows(SSLException.class, () -> handshake("link.example.org", AlpnCertificates.PROTOCOL));
        challenge("junk.example.org", "not a key authorization");
        assertThrows(SSLException.class, () -> handshake("junk.example.org", AlpnCertificates.PROTOCOL));
        challenge("big.example.org", KEY_AUTHZ + "x".repeat(Limits.DEFAULT.maxFileSize()));
        assertThrows(SSLException.class, () -> handshake("big.example.org", AlpnCertificates.PROTOCOL));
        // the control: the same content as a regular file is served
        challenge("ok.example.org", KEY_AUTHZ);
        handshake("ok.example.org", AlpnCertificates.PROTOCOL);
    }
}
