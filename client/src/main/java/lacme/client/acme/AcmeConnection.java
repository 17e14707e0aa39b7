package lacme.client.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import lacme.common.json.Json;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.UnsupportedSchemeException;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The one connection to the ACME server: directory, nonce pool, JWS-signed POSTs. Every
 * request goes through one loop ({@link #exchange}) that retries {@code badNonce} with a
 * fresh nonce and decides about transient failures, so no caller can forget to.
 * Thread-safe: orders may run concurrently and share the pool; signing is serialized by
 * the signer (one accountd connection).
 *
 * <h2>When a request is sent again</h2>
 * <ul>
 * <li>{@code badNonce} (any request): the CA rejected the request before acting on it
 * (RFC 8555 §6.5); it is signed again with a fresh nonce, up to {@link #MAX_NONCE_TRIES}
 * attempts.</li>
 * <li>A <em>transient</em> failure is a connection error or HTTP 500, 502, 503 or 504 (with
 * or without a problem document). Its kind matters:
 * <ul>
 * <li><b>not processed</b>: the failure came while a connection was being set up (refused,
 * connect timeout, no route, unknown host, a reset or cut during the TLS handshake), so no
 * byte of the request left; or HTTP 503 — the server says it did not handle the request
 * (RFC 9110 §15.6.4);</li>
 * <li><b>maybe processed</b>: the request may have reached the CA's application — no
 * response, a cut or a late one (read timeout, reset on an established connection), HTTP
 * 500 {@code serverInternal}, or 502/504 from a gateway that may have forwarded it. (Kept-alive
 * connections idle for a while are checked before reuse, see {@code Https}, so that a
 * connection the CA closed between two polls does not turn into such a failure.)</li>
 * </ul>
 * A TLS failure (untrusted certificate, wrong host name), a malformed HTTP response, an
 * oversized body, another 5xx (501, 505, ...) or an interrupt is never transient.</li>
 * <li>Every request says whether it may be repeated after a "maybe processed" failure
 * ({@link Replay}). {@link Replay#SAFE} requests — the directory GET, the newNonce HEAD,
 * POST-as-GET fetches of accounts, orders, authorizations and certificates — and signed
 * POSTs whose repetition has the effect of one (newAccount, which returns the existing
 * account for the key, RFC 8555 §7.3.1; setting an account's contacts) are sent again,
 * with a fresh signature and nonce, after any transient failure. {@link
 * Replay#IF_NOT_PROCESSED} requests (newOrder, a challenge answer, finalize, account
 * deactivation, revocation) are sent again only after a "not processed" failure; after a
 * "maybe processed" one they fail with a {@link TransientFailureException}, never replayed
 * blindly. The callers that can find out what happened do so by reading state, not by
 * replaying: a challenge is answered again only if its authorization still shows it
 * {@code pending}, an order finalized again only if it is still {@code ready}
 * ({@link OrderProcess}); a revocation is sent again and its {@code alreadyRevoked}
 * answer then taken as success ({@link AcmeClient#revoke}). A newOrder is not repeated: a
 * second order would count against the CA's rate limits while the first one may exist.</li>
 * <li>Bounds: at most {@link #MAX_TRANSIENT_TRIES} attempts per request; waits of
 * {@link #RETRY_INITIAL} doubling up to {@link #RETRY_MAX}, or the {@code Retry-After} of a
 * 503 (up to {@link #MAX_SERVER_DELAY}; a longer one fails at once). Each request belongs
 * to an operation's {@link Poller}: its deadline ({@code timeout}) bounds the waits before
 * a retry as it bounds the polls, and each response is waited for at most until the
 * deadline (but {@link Poller#MIN_RESPONSE_TIMEOUT} at least).</li>
 * <li>{@code rateLimited} and every other 4xx are not retried (limits last hours; the
 * message says when to come back).</li>
 * </ul>
 */
public final class AcmeConnection implements Closeable {
    /**
     * Attempts per signed request when the CA keeps answering badNonce. Higher than the
     * usual 5 on purpose: at Pebble's PEBBLE_WFE_NONCEREJECT=50, 5 tries lose ~3 % of
     * requests, i.e. most multi-request issuances; 20 tries lose one in a million.
     */
    public static final int MAX_NONCE_TRIES = 20;
    /** Attempts per request when it keeps failing transiently (connection error, HTTP 5xx). */
    public static final int MAX_TRANSIENT_TRIES = 5;
    /** Wait before the first repetition after a transient failure; then doubling. */
    public static final Duration RETRY_INITIAL = Duration.ofSeconds(1);
    /** Longest wait between two attempts without Retry-After. */
    public static final Duration RETRY_MAX = Duration.ofSeconds(8);
    /** Longest Retry-After of an HTTP 503 that is waited out; a longer one fails at once. */
    public static final Duration MAX_SERVER_DELAY = Duration.ofMinutes(2);
    /** Longest wait for one response. */
    public static final Duration MAX_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    /** Statuses that may pass: 500, 502, 503 and 504. */
    public static final Set<Integer> TRANSIENT_STATUS = Set.of(500, 502, 503, 504);
    /** Largest response body read (a chain is a few KiB). */
    public static final int MAX_BODY = 4 << 20;
    public static final String JSON = "application/json";
    public static final String PEM_CHAIN = "application/pem-certificate-chain";
    private static final Timeout CONNECTION_REQUEST_TIMEOUT = Timeout.ofMinutes(5);
    private static final int MAX_POOL = 32;
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    /** Whether a request may be sent again after a failure that leaves open whether the CA acted on it. */
    public enum Replay {
        /** Sending it twice has the effect of sending it once: repeated after any transient failure. */
        SAFE,
        /** Repeated only after a failure that shows the CA did not act on it. */
        IF_NOT_PROCESSED
    }

    /** What a failure says about the request it interrupted. */
    enum Failure {
        /** Not transient: reported at once. */
        FATAL,
        /** Transient, and the CA did not act on the request. */
        NOT_PROCESSED,
        /** Transient, and the CA may have acted on the request. */
        MAYBE_PROCESSED
    }

    /** Builds the request of one attempt (a signed one gets a fresh nonce each time). */
    private interface Attempt {
        ClassicHttpRequest build() throws AcmeException;
    }

    private final CloseableHttpClient http;
    private final URI directoryUrl;
    private final AccountKey key;
    private final Deque<String> nonces = new ConcurrentLinkedDeque<>();
    private volatile Directory directory;

    public AcmeConnection(CloseableHttpClient http, URI directoryUrl, AccountKey key) {
        this.http = http;
        this.directoryUrl = directoryUrl;
        this.key = key;
    }

    public AccountKey key() {
        return key;
    }

    /** The directory, fetched on first use, without deadline. */
    public Directory directory() throws AcmeException {
        return directory(Poller.unbounded());
    }

    /** The directory, fetched on first use within {@code budget}. */
    public synchronized Directory directory(Poller budget) throws AcmeException {
        if (directory == null) {
            AcmeResponse r = exchange("GET", directoryUrl,
                    () -> ClassicRequestBuilder.get(directoryUrl).addHeader("Accept", JSON).build(), Replay.SAFE,
                    budget, true);
            directory = Directory.parse(r.json());
        }
        return directory;
    }

    /** An unused nonce: from the pool, else from a HEAD on newNonce. */
    String nonce(Poller budget) throws AcmeException {
        String n = nonces.pollFirst();
        if (n != null) {
            return n;
        }
        URI url = directory(budget).newNonce();
        AcmeResponse r = exchange("HEAD", url, () -> ClassicRequestBuilder.head(url).build(), Replay.SAFE, budget,
                false);
        n = r.nonce();
        if (n == null) {
            throw new AcmeException("HEAD " + url + " answered HTTP " + r.status() + " without a Replay-Nonce");
        }
        return n;
    }

    /** POST-as-GET (empty payload, RFC 8555 §6.3) signed with {@code kid}; safe to repeat. */
    public AcmeResponse postAsGet(URI url, String kid, String accept, Poller budget) throws AcmeException {
        return post(url, null, kid, accept, Replay.SAFE, budget);
    }

    /**
     * A signed POST; {@code kid} null signs with the JWK instead. A non-2xx answer throws:
     * an {@link AcmeProblemException} (typed) for a problem document, a
     * {@link TransientFailureException} for a transient failure that was not (or no longer)
     * repeated.
     *
     * @param payload the JSON payload, or null for POST-as-GET
     * @param replay  whether the request may be repeated after a "maybe processed" failure
     * @param budget  the operation the request belongs to: its deadline bounds the retries
     */
    public AcmeResponse post(URI url, Map<String, ?> payload, String kid, String accept, Replay replay,
            Poller budget) throws AcmeException {
        return exchange("POST", url, () -> ClassicRequestBuilder.post(url).addHeader("Accept", accept)
                .setEntity(new ByteArrayEntity(signedBody(url, payload, kid, nonce(budget))
                        .getBytes(StandardCharsets.US_ASCII), ContentType.create("application/jose+json")))
                .build(), replay, budget, true);
    }

    /**
     * Sends a request until it succeeds, fails for good, or may not be repeated (see the
     * class comment). A HEAD (newNonce) is successful when it carries a nonce, unless its
     * status is transient (a 503 asks to back off even if it hands out a nonce).
     */
    private AcmeResponse exchange(String method, URI url, Attempt attempt, Replay replay, Poller budget,
            boolean pool) throws AcmeException {
        int badNonces = 0;
        int transients = 0;
        while (true) {
            ClassicHttpRequest req = attempt.build();
            AcmeResponse r;
            try {
                r = send(req, url, budget, pool);
            } catch (IOException e) {
                String what = method + " " + url + ": " + describe(e);
                Failure f = classify(e);
                if (f == Failure.FATAL) {
                    throw new AcmeException(what, e);
                }
                transients++;
                retryOrGiveUp(what, e, f == Failure.MAYBE_PROCESSED, replay, transients, Optional.empty(), budget);
                continue;
            }
            if (r.success() || (method.equals("HEAD") && r.nonce() != null && !TRANSIENT_STATUS.contains(r.status()))) {
                return r;
            }
            AcmeException e = failure(r, method, directory == null ? null : directory.termsOfService());
            if (e instanceof BadNonceException) {
                if (++badNonces >= MAX_NONCE_TRIES) {
                    throw e;
                }
                LOG.debug("badNonce from {} (attempt {}), retrying with a fresh nonce", url, badNonces);
                continue;
            }
            if (!TRANSIENT_STATUS.contains(r.status())) {
                throw e;
            }
            transients++;
            boolean unavailable = r.status() == 503;
            String what = e.getMessage().startsWith(method + " ") ? e.getMessage()
                    : method + " " + url + ": " + e.getMessage();
            retryOrGiveUp(what, e, !unavailable, replay, transients,
                    unavailable ? r.retryAfter() : Optional.empty(), budget);
        }
    }

    /** Waits before the next attempt, or throws when there must be none. */
    private static void retryOrGiveUp(String what, Exception cause, boolean maybeProcessed, Replay replay,
            int attempts, Optional<Duration> serverDelay, Poller budget) throws AcmeException {
        if (maybeProcessed && replay != Replay.SAFE) {
            throw new TransientFailureException(what + "; not sent again: the CA may have acted on it", what, true,
                    cause);
        }
        if (attempts >= MAX_TRANSIENT_TRIES) {
            throw new TransientFailureException(what + "; gave up after " + attempts + " attempts", what,
                    maybeProcessed, cause);
        }
        Duration delay = serverDelay.orElse(retryDelay(attempts));
        if (delay.compareTo(MAX_SERVER_DELAY) > 0) {
            throw new TransientFailureException(what + "; the server asked to retry after " + delay.toSeconds()
                    + " s", what, maybeProcessed, cause);
        }
        if (budget.allows(delay)) {
            LOG.warn("{}; trying again in {} ms (attempt {} of {})", what, delay.toMillis(), attempts + 1,
                    MAX_TRANSIENT_TRIES);
        }
        try {
            budget.retryPause(delay, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcmeException(what + "; interrupted", e);
        } catch (AcmeException e) {
            throw new TransientFailureException(e.getMessage(), what, maybeProcessed, cause);
        }
    }

    /** The wait before attempt {@code attempts + 1} without Retry-After: 1, 2, 4, 8, 8, ... s. */
    public static Duration retryDelay(int attempts) {
        long ms = RETRY_INITIAL.toMillis() << Math.min(Math.max(attempts - 1, 0), 16);
        return ms >= RETRY_MAX.toMillis() ? RETRY_MAX : Duration.ofMillis(ms);
    }

    /** What a connection-level failure says about the request (see the class comment). */
    static Failure classify(IOException e) {
        if (Thread.currentThread().isInterrupted() || e instanceof BodyTooLargeException
                || e instanceof ClientProtocolException || e instanceof UnsupportedSchemeException) {
            return Failure.FATAL;
        }
        if (e instanceof SSLException) {
            // certificate and host name refusals are final; a handshake the peer cut is not
            return e instanceof SSLHandshakeException && cutByPeer(e) ? Failure.NOT_PROCESSED : Failure.FATAL;
        }
        if (e instanceof ConnectException || e instanceof ConnectTimeoutException
                || e instanceof NoRouteToHostException || e instanceof UnknownHostException
                || e instanceof PortUnreachableException || duringConnect(e)) {
            return Failure.NOT_PROCESSED;
        }
        if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return Failure.FATAL;
        }
        return Failure.MAYBE_PROCESSED;
    }

    /**
     * True when HttpClient raised {@code e} while it set up a new connection (TCP connect,
     * TLS handshake: its {@code ConnectExec} on the stack without {@code MainClientExec},
     * which sends the request), so no byte of the request left. A reset during the
     * handshake is a plain {@code SocketException}, indistinguishable by type from one in
     * mid-request. Should HttpClient's internals change, this answers false and the
     * failure counts as "maybe processed": safe, only less eager to retry.
     */
    static boolean duringConnect(Throwable e) {
        boolean connect = false;
        for (StackTraceElement f : e.getStackTrace()) {
            String c = f.getClassName();
            if (c.equals("org.apache.hc.client5.http.impl.classic.MainClientExec")) {
                return false;
            }
            if (c.equals("org.apache.hc.client5.http.impl.classic.ConnectExec")) {
                connect = true;
            }
        }
        return connect;
    }

    private static boolean cutByPeer(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof EOFException || c instanceof SocketException) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && m.contains("Remote host terminated the handshake")) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        String s = m == null || m.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
        return Problem.clean(s);
    }

    /** The flattened JWS JSON serialization (RFC 7515 §7.2.2) of one request. */
    String signedBody(URI url, Map<String, ?> payload, String kid, String nonce) throws AcmeException {
        JWSHeader.Builder h = new JWSHeader.Builder(key.alg());
        if (kid == null) {
            h.jwk(key.jwk());
        } else {
            h.keyID(kid);
        }
        h.customParam("nonce", nonce).customParam("url", url.toString());
        JWSObject jws = new JWSObject(h.build(), new Payload(payload == null ? "" : Json.write(payload)));
        try {
            jws.sign(key.signer());
        } catch (JOSEException e) {
            throw new AcmeException("cannot sign the request to " + url + ": " + e.getMessage(), e);
        }
        String input = new String(jws.getSigningInput(), StandardCharsets.US_ASCII);
        int dot = input.indexOf('.');
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("protected", input.substring(0, dot));
        o.put("payload", input.substring(dot + 1));
        o.put("signature", jws.getSignature().toString());
        return Json.write(o);
    }

    /** One attempt: the response, fully read; its nonce joins the pool when {@code pool}. */
    private AcmeResponse send(ClassicHttpRequest req, URI url, Poller budget, boolean pool) throws IOException {
        HttpClientContext ctx = HttpClientContext.create();
        ctx.setRequestConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(CONNECTION_REQUEST_TIMEOUT)
                .setResponseTimeout(Timeout.of(budget.responseTimeout(MAX_RESPONSE_TIMEOUT)))
                .build());
        AcmeResponse r = http.execute(req, ctx, resp -> {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (Header h : resp.getHeaders()) {
                headers.add(new AbstractMap.SimpleImmutableEntry<>(h.getName(), h.getValue()));
            }
            return new AcmeResponse(url, resp.getCode(), headers, read(resp.getEntity()));
        });
        LOG.debug("{} {} -> HTTP {}", req.getMethod(), url, r.status());
        String n = r.nonce();
        if (pool && n != null) {
            nonces.offerFirst(n);
            while (nonces.size() > MAX_POOL) {
                nonces.pollLast();
            }
        }
        return r;
    }

    /** A response body over {@link #MAX_BODY}: not a transient failure. */
    static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException() {
            super("response body larger than " + MAX_BODY + " bytes");
        }
    }

    private static byte[] read(HttpEntity e) throws IOException {
        if (e == null) {
            return new byte[0];
        }
        try (InputStream in = e.getContent()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (b.size() + n > MAX_BODY) {
                    throw new BodyTooLargeException();
                }
                b.write(buf, 0, n);
            }
            return b.toByteArray();
        }
    }

    /** The exception for an unsuccessful response. */
    static AcmeException failure(AcmeResponse r, String method) {
        return failure(r, method, null);
    }

    /**
     * The exception for an unsuccessful response; {@code termsOfService} (the directory's)
     * stands in for a missing {@code Link: rel="terms-of-service"} in a userActionRequired.
     */
    static AcmeException failure(AcmeResponse r, String method, String termsOfService) {
        Problem p = r.problem();
        if (p != null) {
            return AcmeProblemException.of(p, r, termsOfService);
        }
        return new AcmeException(method + " " + r.url() + ": HTTP " + r.status()
                + (r.mediaType().isEmpty() ? "" : " (" + Problem.clean(r.mediaType()) + ")"));
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
