package lacme.client.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.crypto.RSASSASigner;
import lacme.common.json.Json;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A scripted ACME server behind HttpClient's own interface: no socket is opened. It serves
 * JSON fixtures per (method, path), checks every JWS (signature, url, single-use nonce) and
 * records the requests, so the client's state machines can be tested state by state.
 */
final class FakeCa extends CloseableHttpClient {
    static final String BASE = "https://ca.test";

    /**
     * One scripted answer, or a failure: {@code error} is thrown instead of answering —
     * before the request reaches the CA when {@code beforeReceipt} (a connection failure:
     * not recorded, nonce not spent), else after it was received and recorded.
     */
    record Resp(int status, String contentType, String body, Map<String, String> headers, IOException error,
            boolean beforeReceipt) {
        Resp(int status, String contentType, String body, Map<String, String> headers) {
            this(status, contentType, body, headers, null, false);
        }

        Resp header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Resp(status, contentType, body, h, error, beforeReceipt);
        }
    }

    /** The connection fails before the request is sent (e.g. {@link java.net.ConnectException}). */
    static Resp unreachable(IOException e) {
        return new Resp(0, null, "", Map.of(), e, true);
    }

    /** The request reaches the CA, then the connection fails (no or a cut response). */
    static Resp cut(IOException e) {
        return new Resp(0, null, "", Map.of(), e, false);
    }

    /** A bare status without body. */
    static Resp status(int status) {
        return new Resp(status, null, "", Map.of());
    }

    /** One request as the CA saw it. */
    record Seen(String method, String path, Map<String, Object> header, String payload) {
    }

    private final Map<String, Deque<Resp>> script = new HashMap<>();
    private final Set<String> outstanding = new HashSet<>();
    final List<Seen> seen = new ArrayList<>();
    final RSAKey key;
    private int nonceCounter;
    Consumer<Seen> onRequest = s -> { };
    /** Answers computed per request, outside the CA's lock (null: use the script). */
    volatile java.util.function.Function<Seen, Resp> responder;
    /** Requests that failed before reaching the CA, as "METHOD path". */
    final List<String> unreached = new ArrayList<>();
    /** The response timeout each request was sent with, in order. */
    final List<Duration> responseTimeouts = new ArrayList<>();

    FakeCa() throws JOSEException {
        key = new RSAKeyGenerator(2048).generate();
        on("GET", "/dir", json(200, "directory.json"));
    }

    AccountKey accountKey(String kid) throws JOSEException {
        return new AccountKey("RS256", Json.write(new java.util.TreeMap<>(key.toPublicJWK().getRequiredParams())),
                null, kid, new RSASSASigner(key));
    }

    static String fixture(String name) {
        try (InputStream in = FakeCa.class.getResourceAsStream("/acme/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Resp json(int status, String fixture) {
        return new Resp(status, "application/json", fixture(fixture), Map.of());
    }

    static Resp problem(int status, String fixture) {
        return new Resp(status, "application/problem+json", fixture(fixture), Map.of());
    }

    static Resp pem(String fixture) {
        return new Resp(200, "application/pem-certificate-chain", fixture(fixture), Map.of());
    }

    /** Answers for (method, path), in turn; the last one repeats. */
    FakeCa on(String method, String path, Resp... answers) {
        script.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).addAll(List.of(answers));
        return this;
    }

    /** Replaces the answers for (method, path). */
    FakeCa replace(String method, String path, Resp... answers) {
        script.put(method + " " + path, new ArrayDeque<>(List.of(answers)));
        return this;
    }

    /** Requests to {@code path} (any method). */
    List<Seen> to(String path) {
        List<Seen> out = new ArrayList<>();
        for (Seen s : seen) {
            if (s.path.equals(path)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    protected CloseableHttpResponse doExecute(HttpHost target, ClassicHttpRequest request, HttpContext context)
            throws IOException {
        Seen s;
        synchronized (this) {
            s = receive(request, context);
        }
        Resp r = null;
        java.util.function.Function<Seen, Resp> dyn = responder;
        if (dyn != null && s != null) {
            r = dyn.apply(s);
        }
        synchronized (this) {
            if (s == null) {
                return respond(new Resp(200, null, "", Map.of()));
            }
            if (r == null) {
                r = next(s.method + " " + s.path);
                if (r == null) {
                    throw new AssertionError("unscripted request " + s.method + " " + s.path);
                }
            }
            if (r.error != null) {
                throw r.error;
            }
            return respond(r);
        }
    }

    private Resp next(String key) {
        Deque<Resp> q = script.get(key);
        if (q == null || q.isEmpty()) {
            return null;
        }
        return q.size() > 1 ? q.poll() : q.peek();
    }

    /** Checks and records one request; null for an unscripted HEAD /nonce (answered 200 with a nonce). */
    private Seen receive(ClassicHttpRequest request, HttpContext context) throws IOException {
        String method = request.getMethod();
        URI uri;
        try {
            uri = request.getUri();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        String path = uri.getPath();
        Deque<Resp> q = script.get(method + " " + path);
        if (q != null && !q.isEmpty() && q.peek().beforeReceipt) {
            Resp r = q.size() > 1 ? q.poll() : q.peek();
            unreached.add(method + " " + path);
            throw r.error;
        }
        if (context != null) {
            var rc = org.apache.hc.client5.http.protocol.HttpClientContext.castOrCreate(context).getRequestConfig();
            if (rc != null && rc.getResponseTimeout() != null) {
                responseTimeouts.add(Duration.ofMillis(rc.getResponseTimeout().toMilliseconds()));
            }
        }
        Map<String, Object> header = null;
        String payload = null;
        if (method.equals("HEAD") && path.equals("/nonce") && q == null) {
            return null;
        }
        if (method.equals("POST")) {
            try {
                Map<String, Object> body = Json.parseObject(EntityUtils.toString(request.getEntity()));
                JWSObject jws = JWSObject.parse(body.get("protected") + "." + body.get("payload") + "."
                        + body.get("signature"));
                if (!jws.verify(new RSASSAVerifier(key.toRSAPublicKey()))) {
                    throw new AssertionError("bad signature");
                }
                header = jws.getHeader().toJSONObject();
                payload = jws.getPayload().toString();
                if (!uri.toString().equals(header.get("url"))) {
                    throw new AssertionError("url mismatch: " + header.get("url") + " vs " + uri);
                }
                if (!outstanding.remove((String) header.get("nonce"))) {
                    throw new AssertionError("nonce reused or unknown: " + header.get("nonce"));
                }
                if (!"application/jose+json".equals(request.getEntity().getContentType())) {
                    throw new AssertionError("content type " + request.getEntity().getContentType());
                }
            } catch (ParseException | JOSEException | org.apache.hc.core5.http.ParseException e) {
                throw new AssertionError(e);
            }
        }
        Seen s = new Seen(method, path, header, payload);
        seen.add(s);
        onRequest.accept(s);
        return s;
    }

    private CloseableHttpResponse respond(Resp r) {
        BasicClassicHttpResponse resp = new BasicClassicHttpResponse(r.status);
        String nonce = "n" + (++nonceCounter) + "_x";
        outstanding.add(nonce);
        resp.addHeader("Replay-Nonce", nonce);
        r.headers.forEach(resp::addHeader);
        if (r.contentType != null) {
            resp.setEntity(new ByteArrayEntity(r.body.getBytes(StandardCharsets.UTF_8), ContentType.parse(r.contentType)));
            resp.addHeader("Content-Type", r.contentType);
        }
        return CloseableHttpResponse.adapt(resp);
    }

    @Override
    public void close() {
    }

    @Override
    public void close(CloseMode closeMode) {
    }

    /** A clock that never sleeps: it records the delays and advances by them. */
    static final class FakeClock implements Poller.Clock {
        final List<Duration> sleeps = new ArrayList<>();
        long now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(Duration d) {
            sleeps.add(d);
            now += d.toNanos();
        }
    }
}
