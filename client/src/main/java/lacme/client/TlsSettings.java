package lacme.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client's TLS settings, from lacme.conf's {@code [client]} options as the master
 * passes them in {@code hello}: verify by default (against {@code ca_pem} when given, else
 * the JDK trust store); {@code SSL_verify = No} turns chain and hostname checks off, loudly;
 * {@code SSL_version} / {@code SSL_cipher_list} are OpenSSL syntax, mapped to JSSE names
 * or refused — a setting we cannot honour must not be silently ignored.
 */
public final class TlsSettings {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    private final SSLContext context;
    private final boolean verify;
    private final String[] protocols;
    private final String[] ciphers;

    private TlsSettings(SSLContext context, boolean verify, String[] protocols, String[] ciphers) {
        this.context = context;
        this.verify = verify;
        this.protocols = protocols;
        this.ciphers = ciphers;
    }

    /**
     * @param caPem         PEM certificates to trust exclusively, or null for the JDK default
     * @param sslVersion    OpenSSL/IO::Socket::SSL protocol string, or null
     * @param sslCipherList OpenSSL cipher string, or null
     * @throws IllegalArgumentException for a setting that cannot be mapped (message says why)
     */
    public static TlsSettings create(boolean verify, String caPem, String sslVersion, String sslCipherList)
            throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        if (!verify) {
            LOG.warn("SSL_verify is off: the ACME server's certificate and host name are NOT checked");
            ctx.init(null, new TrustManager[] {new TrustEverything()}, null);
        } else if (caPem != null && !caPem.isBlank()) {
            ctx.init(null, trusting(parsePem(caPem)).getTrustManagers(), null);
        } else {
            ctx.init(null, null, null);
        }
        String[] protocols = protocols(sslVersion);
        String[] ciphers = null;
        if (sslCipherList != null && !sslCipherList.isBlank()) {
            SSLEngine e = ctx.createSSLEngine();
            List<String> c = OpenSslCiphers.select(sslCipherList, List.of(e.getSupportedCipherSuites()),
                    List.of(e.getEnabledCipherSuites()));
            boolean tls12 = protocols == null || List.of(protocols).contains("TLSv1.2");
            if (tls12 && c.stream().noneMatch(s -> !OpenSslCiphers.isTls13(s))) {
                throw new IllegalArgumentException("SSL_cipher_list '" + sslCipherList
                        + "' selects no TLS 1.2 cipher suite this Java supports");
            }
            ciphers = c.toArray(new String[0]);
        }
        return new TlsSettings(ctx, verify, protocols, ciphers);
    }

    public SSLContext context() {
        return context;
    }

    public boolean verify() {
        return verify;
    }

    /** JSSE protocol names, or null for the JDK default (TLS 1.3 and 1.2). */
    public String[] protocols() {
        return protocols == null ? null : protocols.clone();
    }

    /** JSSE cipher suite names, or null for the JDK default. */
    public String[] ciphers() {
        return ciphers == null ? null : ciphers.clone();
    }

    /**
     * Maps an IO::Socket::SSL {@code SSL_version} string ({@code SSLv23:!TLSv1:!SSLv3},
     * {@code TLSv1_2}, ...) to JSSE protocols. Versions before TLS 1.2 are refused when
     * asked for (this Java disables them anyway); excluding them is a no-op.
     */
    static String[] protocols(String sslVersion) {
        if (sslVersion == null || sslVersion.isBlank()) {
            return null;
        }
        Set<String> all = new LinkedHashSet<>(List.of("TLSv1.3", "TLSv1.2"));
        Set<String> chosen = new LinkedHashSet<>();
        Set<String> removed = new LinkedHashSet<>();
        boolean any = false;
        for (String raw : sslVersion.split(":")) {
            String t = raw.trim();
            if (t.isEmpty()) {
                continue;
            }
            boolean neg = t.startsWith("!");
            String name = protocolName(neg ? t.substring(1) : t);
            if (name == null) {
                throw new IllegalArgumentException("SSL_version: unknown protocol '" + t + "'");
            }
            if (neg) {
                removed.add(name);
            } else if (name.equals("*")) {
                chosen.addAll(all);
                any = true;
            } else if (!all.contains(name)) {
                throw new IllegalArgumentException("SSL_version: " + t + " is obsolete and not supported"
                        + " (use TLSv1_2 or TLSv1_3)");
            } else {
                chosen.add(name);
                any = true;
            }
        }
        if (!any) {
            chosen.addAll(all);
        }
        chosen.removeAll(removed);
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("SSL_version '" + sslVersion + "' leaves no protocol enabled");
        }
        return chosen.toArray(new String[0]);
    }

    private static String protocolName(String t) {
        switch (t.toLowerCase(Locale.ROOT).replace('.', '_')) {
            case "sslv23": case "sslv2/3": case "all": case "tls":
                return "*";
            case "tlsv1_3": case "tlsv13":
                return "TLSv1.3";
            case "tlsv1_2": case "tlsv12":
                return "TLSv1.2";
            case "tlsv1_1": case "tlsv11":
                return "TLSv1.1";
            case "tlsv1": case "tlsv1_0": case "tlsv10":
                return "TLSv1";
            case "sslv3":
                return "SSLv3";
            case "sslv2":
                return "SSLv2";
            default:
                return null;
        }
    }

    /** Parses every certificate of a PEM text; none is an error. */
    static List<X509Certificate> parsePem(String pem) throws GeneralSecurityException {
        Collection<? extends Certificate> cs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : cs) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("the CA file holds no certificate");
        }
        return out;
    }

    private static TrustManagerFactory trusting(List<X509Certificate> anchors) throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        for (int i = 0; i < anchors.size(); i++) {
            ks.setCertificateEntry("ca-" + i, anchors.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf;
    }

    /** SSL_verify = No: accepts any chain and, being "extended", skips JSSE's host name check too. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

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
    }
}
