package lacme.client.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import lacme.client.acme.RetryPolicy.Failure;
import lacme.client.acme.RetryPolicy.Replay;
import lacme.common.json.Json;
import lacme.common.proto.ControlCodec;
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
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The one connection to the ACME server: directory, nonce pool, JWS-signed POSTs. Every
 * request goes through one loop ({@link #exchange}) that retries {@code badNonce} with a
 * fresh nonce and decides about transient failures, so no caller can forget to.
 * Thread-safe: orders may run concurrently and share the pool; signing is serialized by
 * the signer (one accountd connection).
 *
 * <p>When a request is sent again: after {@code badNonce} (any request) the CA rejected
 * the request before acting on it (RFC 8555 §6.5); it is signed again with a fresh nonce,
 * up to {@link #MAX_NONCE_TRIES} attempts. After a transient failure (a connection error,
 * HTTP 500/502/503/504) {@link RetryPolicy} decides, by what the failure says about the
 * request and by the request's {@link RetryPolicy.Replay}; every other failure is reported
 * at once.
 *
 * <p>Every wait of a request ends at the deadline of the operation's {@link Poller} (issue
 * 15): connecting and the TLS handshake (the time left is handed to {@code Https} as the
 * request's connect timeout, which it shrinks further to its per-address budget), and the
 * response ({@link #MAX_RESPONSE_TIMEOUT} at most); a request is not sent once the deadline
 * has passed. The directory is fetched without a lock: orders started together each fetch
 * it rather than queue behind one fetch that a silent CA holds up to the whole timeout.
 */
public final class AcmeConnection implements Closeable {
    /**
     * Attempts per signed request when the CA keeps answering badNonce. Higher than the
     * usual 5 on purpose: at Pebble's PEBBLE_WFE_NONCEREJECT=50, 5 tries lose ~3 % of
     * requests, i.e. most multi-request issuances; 20 tries lose one in a million.
     */
    public static final int MAX_NONCE_TRIES = 20;
    /** Longest wait for one response. */
    public static final Duration MAX_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Largest response body read (a chain is a few KiB): derived from the control channel's
     * text budget, so that whatever the CA sends fits in the result frame to the master.
     */
    public static final int MAX_BODY = ControlCodec.MAX_TEXT;
    public static final String JSON = "application/json";
    public static final String PEM_CHAIN = "application/pem-certificate-chain";
    private static final Duration CONNECTION_REQUEST_TIMEOUT = Duration.ofMinutes(5);
    /** Shortest time left in which a request is still sent (a zero timeout would mean "none" to HttpClient). */
    private static final Duration MIN_WAIT = Duration.ofMillis(100);
    private static final int MAX_POOL = 32;
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    /** Builds the request of one attempt (a signed one gets a fresh nonce each time). */
    private interface Attempt {
        ClassicHttpRequest build() throws AcmeException;
    }

    private final CloseableHttpClient http;
    private final URI directoryUrl;
    /** Null until the accountd connection arrives (issue 13: renewalInfo needs no key). */
    private volatile AccountKey key;
    private final Deque<String> nonces = new ConcurrentLinkedDeque<>();
    private volatile Directory directory;

    public AcmeConnection(CloseableHttpClient http, URI directoryUrl, AccountKey key) {
        this.http = http;
        this.directoryUrl = directoryUrl;
        this.key = key;
    }

    /** The account key; the client's control loop sends no signed request before it is attached. */
    public AccountKey key() {
        AccountKey k = key;
        if (k == null) {
            throw new IllegalStateException("no lacme-accountd connection yet");
        }
        return k;
    }

    /** Attaches the account key once lacme-accountd has greeted (at most once). */
    public void attach(AccountKey k) {
        if (key != null) {
            throw new IllegalStateException("the account key is attached already");
        }
        key = k;
    }

    /**
     * Fetches the directory and pools a first nonce within {@code budget}, before anything
     * is signed: done right after hello, while the master decides and builds CSRs, so the
     * first order starts without these round trips.
     */
    public void prefetch(Poller budget) throws AcmeException {
        directory(budget);
        nonces.offerLast(nonce(budget));
    }

    /**
     * An unauthenticated GET (RFC 9773 §4.2) of {@code url}: no nonce, no signature, so it
     * needs no accountd; repeated after transient failures like any safe request.
     */
    public AcmeResponse get(URI url, Poller budget) throws AcmeException {
        return exchange("GET", url, () -> ClassicRequestBuilder.get(url).addHeader("Accept", JSON).build(),
                Replay.SAFE, budget, true);
    }

    /** The directory, fetched on first use, without deadline. */
    public Directory directory() throws AcmeException {
        return directory(Poller.unbounded());
    }

    /**
     * The directory, fetched on first use within {@code budget}. Not synchronized on purpose
     * (see the class comment): concurrent first uses may each fetch it, which is harmless.
     */
    public Directory directory(Poller budget) throws AcmeException {
        Directory d = directory;
        if (d == null) {
            Resources.requireHttps(directoryUrl, "the ACME server (directory) URL");
            AcmeResponse r = exchange("GET", directoryUrl,
                    () -> ClassicRequestBuilder.get(directoryUrl).addHeader("Accept", JSON).build(), Replay.SAFE,
                    budget, true);
            d = Directory.parse(r.json());
            directory = d;
        }
        return d;
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
     * class comment and {@link RetryPolicy}). A HEAD (newNonce) is successful when it carries a nonce, unless its
     * status is transient (a 503 asks to back off even if it hands out a nonce).
     */
    private AcmeResponse exchange(String method, URI url, Attempt attempt, Replay replay, Poller budget,
            boolean pool) throws AcmeException {
        int badNonces = 0;
        int transients = 0;
        while (true) {
            ClassicHttpRequest req = attempt.build();
            Optional<Duration> left = budget.remaining();
            if (left.isPresent() && left.get().compareTo(MIN_WAIT) < 0) {
                throw new AcmeException(method + " " + url + ": timeout exceeded before it could be sent"
                        + (transients + badNonces > 0 ? " again" : ""));
            }
            AcmeResponse r;
            try {
                r = send(req, url, left, pool);
            } catch (IOException e) {
                String what = method + " " + url + ": " + describe(e);
                Failure f = RetryPolicy.classify(e);
                if (f == Failure.FATAL) {
                    throw new AcmeException(what, e);
                }
                transients++;
                RetryPolicy.retryOrGiveUp(what, e, f == Failure.MAYBE_PROCESSED, replay, transients,
                        Optional.empty(), budget);
                continue;
            }
            if (r.success() || (method.equals("HEAD") && r.nonce() != null
                    && !RetryPolicy.TRANSIENT_STATUS.contains(r.status()))) {
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
            Failure f = RetryPolicy.classify(r.status());
            if (f == Failure.FATAL) {
                throw e;
            }
            transients++;
            String what = e.getMessage().startsWith(method + " ") ? e.getMessage()
                    : method + " " + url + ": " + e.getMessage();
            RetryPolicy.retryOrGiveUp(what, e, f == Failure.MAYBE_PROCESSED, replay, transients,
                    r.status() == 503 ? r.retryAfter() : Optional.empty(), budget);
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        String s = m == null || m.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
        return Problem.clean(s);
    }

    /** The flattened JWS JSON serialization (RFC 7515 §7.2.2) of one request. */
    String signedBody(URI url, Map<String, ?> payload, String kid, String nonce) throws AcmeException {
        AccountKey key = key();
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

    /**
     * One attempt, whose waits end when the operation's time {@code left} (if bounded) is
     * over: the response, fully read; its nonce joins the pool when {@code pool}.
     */
    @SuppressWarnings("deprecation") // the per-request connect timeout: Https reads it (see the class comment)
    private AcmeResponse send(ClassicHttpRequest req, URI url, Optional<Duration> left, boolean pool)
            throws IOException {
        RequestConfig.Builder rc = RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.of(left.filter(d -> d.compareTo(CONNECTION_REQUEST_TIMEOUT) < 0)
                        .orElse(CONNECTION_REQUEST_TIMEOUT)))
                .setResponseTimeout(Timeout.of(left.filter(d -> d.compareTo(MAX_RESPONSE_TIMEOUT) < 0)
                        .orElse(MAX_RESPONSE_TIMEOUT)));
        left.ifPresent(d -> rc.setConnectTimeout(Timeout.of(d)));
        HttpClientContext ctx = HttpClientContext.create();
        ctx.setRequestConfig(rc.build());
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
        String redirect = r.status() >= 300 && r.status() < 400 ? r.header("Location") : null;
        return new AcmeException(method + " " + r.url() + ": HTTP " + r.status()
                + (r.mediaType().isEmpty() ? "" : " (" + Problem.clean(r.mediaType()) + ")")
                + (redirect == null ? "" : ": redirect to " + Problem.clean(redirect)
                        + " not followed (ACME servers do not redirect; check 'server' in lacme.conf)"));
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
