package lacme.webserver;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;

/**
 * The TLS side of tls-alpn-01: an {@link SSLContext} whose handshakes succeed only for a
 * client that offers ALPN {@code acme-tls/1} and names, by SNI, an identifier with a
 * challenge file. Any other client gets a TLS alert and nothing else: no ALPN or another
 * protocol ({@code no_application_protocol} or {@code handshake_failure}), no SNI or an
 * unknown name ({@code handshake_failure}). There is no default certificate on purpose:
 * this listener is no web server, it proves control to a CA and to no one else.
 */
final class AlpnTls {
    /** Certificates chosen but not yet fetched by the handshake; bounded. */
    private static final int MAX_PENDING = 256;

    private final AlpnCertificates certificates;
    private final Logger log;
    private final SSLContext context;
    private final Map<String, AlpnCertificates.Issued> pending = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AlpnCertificates.Issued> e) {
            return size() > MAX_PENDING;
        }
    };
    private long serial;

    AlpnTls(AlpnCertificates certificates, Logger log) throws GeneralSecurityException {
        this.certificates = certificates;
        this.log = log;
        this.context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new Keys()}, null, null);
    }

    /** A server engine for one connection. */
    SSLEngine engine() {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(false);
        e.setSSLParameters(parameters());
        e.setHandshakeApplicationProtocolSelector(SELECTOR);
        return e;
    }

    /** Sets up an accepted server socket (for blocking use). */
    SSLSocket configure(SSLSocket s) {
        s.setUseClientMode(false);
        s.setSSLParameters(parameters());
        s.setHandshakeApplicationProtocolSelector((sock, offered) -> SELECTOR.apply(null, offered));
        return s;
    }

    SSLContext context() {
        return context;
    }

    private SSLParameters parameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"}); // RFC 8737 §4: TLS 1.2 or later
        p.setNeedClientAuth(false);
        p.setApplicationProtocols(new String[] {AlpnCertificates.PROTOCOL});
        return p;
    }

    /** Accepts acme-tls/1 only; null makes the JDK send no_application_protocol. */
    private static final BiFunction<SSLEngine, List<String>, String> SELECTOR =
            (engine, offered) -> offered.contains(AlpnCertificates.PROTOCOL) ? AlpnCertificates.PROTOCOL : null;

    /** Chooses the validation certificate of the SNI name once ALPN is settled. */
    private String choose(String keyType, SSLSession session, String protocol) {
        if (!"EC".equals(keyType)) {
            return null; // our keys are P-256; the JDK asks again with "EC"
        }
        if (!AlpnCertificates.PROTOCOL.equals(protocol)) {
            log.info("TLS connection without ALPN {} refused", AlpnCertificates.PROTOCOL);
            return null;
        }
        String sni = null;
        if (session instanceof ExtendedSSLSession x) {
            for (SNIServerName n : x.getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    sni = h.getAsciiName();
                }
            }
        }
        try {
            AlpnCertificates.Issued issued = certificates.forName(sni);
            synchronized (pending) {
                String alias = "c" + (++serial);
                pending.put(alias, issued);
                log.debug("tls-alpn-01 certificate for {}", sni);
                return alias;
            }
        } catch (GeneralSecurityException e) {
            log.info("TLS connection refused: {}", e.getMessage());
            return null;
        }
    }

    private AlpnCertificates.Issued issued(String alias) {
        synchronized (pending) {
            return alias == null ? null : pending.get(alias);
        }
    }

    /** The key manager; client-side methods answer nothing. */
    private final class Keys extends X509ExtendedKeyManager {
        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return choose(keyType, engine.getHandshakeSession(), engine.getHandshakeApplicationProtocol());
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            if (socket instanceof SSLSocket s) {
                return choose(keyType, s.getHandshakeSession(), s.getHandshakeApplicationProtocol());
            }
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            AlpnCertificates.Issued i = issued(alias);
            return i == null ? null : new X509Certificate[] {i.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            AlpnCertificates.Issued i = issued(alias);
            return i == null ? null : i.key();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
