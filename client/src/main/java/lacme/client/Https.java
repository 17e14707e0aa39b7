package lacme.client;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.util.List;

/**
 * Builds the Apache HttpClient 5 (classic) instance the client talks to the CA with:
 * the TLS settings, our User-Agent and {@code Accept-Language: en} on every request, and
 * bounded connect/read timeouts so a dead CA cannot hang a run. Redirects are never followed:
 * an ACME server has no reason to redirect (RFC 8555 names every URL), and following one
 * would let whoever answers send our signed requests elsewhere, or to plain http.
 */
public final class Https {
    private Https() {
    }

    /** The client; {@code maxConnections} matches the number of orders run at once. */
    public static CloseableHttpClient build(TlsSettings tls, String userAgent, int maxConnections) {
        ClientTlsStrategyBuilder tb = ClientTlsStrategyBuilder.create().setSslContext(tls.context());
        if (tls.protocols() != null) {
            tb.setTlsVersions(tls.protocols());
        }
        if (tls.ciphers() != null) {
            tb.setCiphers(tls.ciphers());
        }
        if (!tls.verify()) {
            tb.setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT);
            tb.setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
        }
        var cm = PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(tb.buildClassic())
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofSeconds(30))
                        .setSocketTimeout(Timeout.ofSeconds(60))
                        // a kept-alive connection the CA closed while we waited between polls
                        // is found before a request is written to it (a request lost on a stale
                        // connection is "maybe processed" and a newOrder is then not repeated)
                        .setValidateAfterInactivity(TimeValue.ofMilliseconds(100)).build())
                .build();
        return HttpClients.custom()
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
                .build();
    }
}
