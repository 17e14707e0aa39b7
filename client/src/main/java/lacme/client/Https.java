package lacme.client;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.HttpsSupport;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Builds the Apache HttpClient 5 (classic) instance the client talks to the CA with:
 * the TLS settings, our User-Agent and {@code Accept-Language: en} on every request, and
 * bounded connect/read timeouts so a dead CA cannot hang a run. Redirects are never followed:
 * an ACME server has no reason to redirect (RFC 8555 names every URL), and following one
 * would let whoever answers send our signed requests elsewhere, or to plain http.
 *
 * <p>Every address the CA's name resolves to is tried, in the resolver's order (the client's
 * JVM runs with {@code java.net.preferIPv6Addresses=system}: the system's order, IPv6 and
 * IPv4), each with a short connect budget ({@link #perAddressConnect}), before a connection
 * attempt counts as failed: a name with a broken IPv6 route, or {@code localhost} resolving
 * to {@code ::1} first for a CA listening on 127.0.0.1 only, still reaches the CA, well
 * within the {@code timeout}. (HttpClient's connection operator walks the addresses; what we
 * add is the budget, without which one silent address costs the whole 30 s, and
 * {@link FinalTls}: a refused certificate is not "retried" on the next address.)
 */
public final class Https {
    private Https() {
    }

    /** Shortest connect budget per address. */
    static final Duration MIN_PER_ADDRESS = Duration.ofSeconds(1);
    /** Longest connect budget per address (also the budget without a timeout). */
    static final Duration MAX_PER_ADDRESS = Duration.ofSeconds(10);

    /**
     * The connect budget of one address: a third of the operation's {@code timeout}, so that a
     * silent first address leaves time for the next ones, within
     * [{@link #MIN_PER_ADDRESS}, {@link #MAX_PER_ADDRESS}]; zero {@code timeout} (none): the maximum.
     */
    static Duration perAddressConnect(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            return MAX_PER_ADDRESS;
        }
        Duration d = timeout.dividedBy(3);
        return d.compareTo(MIN_PER_ADDRESS) < 0 ? MIN_PER_ADDRESS : d.compareTo(MAX_PER_ADDRESS) > 0 ? MAX_PER_ADDRESS : d;
    }

    /** The client without an operation timeout; {@code maxConnections} matches the number of orders run at once. */
    public static CloseableHttpClient build(TlsSettings tls, String userAgent, int maxConnections) {
        return build(tls, userAgent, maxConnections, Duration.ZERO);
    }

    /** The client for operations bounded by {@code timeout} (zero: none). */
    public static CloseableHttpClient build(TlsSettings tls, String userAgent, int maxConnections, Duration timeout) {
        return build(tls, userAgent, maxConnections, timeout, SystemDefaultDnsResolver.INSTANCE);
    }

    /** The client resolving names with {@code dns} (tests: a name whose first address is silent). */
    static CloseableHttpClient build(TlsSettings tls, String userAgent, int maxConnections, Duration timeout,
            DnsResolver dns) {
        ClientTlsStrategyBuilder tb = ClientTlsStrategyBuilder.create().setSslContext(tls.context());
        if (tls.protocols() != null) {
            tb.setTlsVersions(tls.protocols());
        }
        if (tls.ciphers() != null) {
            tb.setCiphers(tls.ciphers());
        }
        // The name is checked by HttpClient's verifier (RFC 6125 rules, wildcards never over a
        // public suffix), not by JSSE's endpoint identification: JSSE's check first loads and
        // parses the JDK's whole cacerts store (to know whether the chain ends at a public
        // root), 5 MB allocated and tens of ms of every run's start-up (issue 12, profiled).
        // TlsVerificationTest and AddressFallbackTest fail if no name check is left.
        tb.setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT);
        tb.setHostnameVerifier(tls.verify() ? HttpsSupport.getDefaultHostnameVerifier() : NoopHostnameVerifier.INSTANCE);
        var cm = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(dns)
                .setTlsSocketStrategy(new FinalTls(tb.buildClassic()))
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(perAddressConnect(timeout)))
                        .setSocketTimeout(Timeout.ofSeconds(60))
                        // a kept-alive connection the CA closed while we waited between polls
                        // is found before a request is written to it (a request lost on a stale
                        // connection is "maybe processed" and a newOrder is then not repeated)
                        .setValidateAfterInactivity(TimeValue.ofMilliseconds(100)).build())
                .build();
        return new Unwrapping(perAddressConnect(timeout), HttpClients.custom()
                .setConnectionManager(cm)
                .setUserAgent(userAgent)
                .setDefaultHeaders(List.of(new BasicHeader("Accept-Language", "en")))
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.ofMinutes(5)).build())
                // Our own code decides about retries (AcmeConnection, per request type):
                // HttpClient's default strategy would sleep out a rateLimited Retry-After
                // and replay a POST with a spent nonce.
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .build());
    }

    /** A TLS failure, carried past HttpClient's address loop (which catches only IOException). */
    static final class TlsFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TlsFailure(SSLException cause) {
            super(cause);
        }

        @Override
        public synchronized SSLException getCause() {
            return (SSLException) super.getCause();
        }
    }

    /**
     * The TLS strategy, but a failed handshake ends the connection attempt instead of moving
     * on to the next address: the CA was reached and refused (a certificate for another name,
     * an untrusted chain), and trying another address would only replace that error with
     * the next address's (e.g. "Connection refused" from {@code ::1}), which reads as a
     * transient failure and is retried until the timeout. lacme's IO::Socket::IP, too, tries
     * the next address only when connecting fails.
     */
    private record FinalTls(TlsSocketStrategy tls) implements TlsSocketStrategy {
        @Override
        public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext context)
                throws IOException {
            try {
                return tls.upgrade(socket, target, port, attachment, context);
            } catch (SSLException e) {
                throw new TlsFailure(e);
            }
        }
    }

    /**
     * The client, turning a {@link TlsFailure} back into the TLS exception for the caller, and
     * bounding connect and TLS handshake by the operation's deadline: a request whose
     * {@link RequestConfig} carries a connect timeout (AcmeConnection sets it to the time left
     * before the deadline) connects each address within the smaller of that and the
     * per-address budget, so that a CA that accepts and never completes TLS cannot hold the
     * last attempt of an operation past its deadline.
     */
    private static final class Unwrapping extends CloseableHttpClient {
        private final Duration perAddress;
        private final CloseableHttpClient http;

        Unwrapping(Duration perAddress, CloseableHttpClient http) {
            this.perAddress = perAddress;
            this.http = http;
        }

        @SuppressWarnings("deprecation") // the per-request connect timeout is what ConnectExec reads
        private void boundConnect(HttpContext context) {
            if (!(context instanceof HttpClientContext c) || c.getRequestConfig() == null
                    || c.getRequestConfig().getConnectTimeout() == null) {
                return;
            }
            RequestConfig rc = c.getRequestConfig();
            long left = rc.getConnectTimeout().toMilliseconds();
            long ms = left > 0 ? Math.min(left, perAddress.toMillis()) : perAddress.toMillis();
            c.setRequestConfig(RequestConfig.copy(rc).setConnectTimeout(Timeout.ofMilliseconds(ms)).build());
        }

        @Override
        protected CloseableHttpResponse doExecute(HttpHost target, ClassicHttpRequest request, HttpContext context)
                throws IOException {
            boundConnect(context);
            try {
                return http.execute(target, request, context);
            } catch (TlsFailure e) {
                throw e.getCause();
            }
        }

        @Override
        public void close() throws IOException {
            http.close();
        }

        @Override
        public void close(CloseMode mode) {
            http.close(mode);
        }
    }
}
