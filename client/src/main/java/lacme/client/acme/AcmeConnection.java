package lacme.client.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import lacme.common.json.Json;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The one connection to the ACME server: directory, nonce pool, JWS-signed POSTs. Every
 * signed request goes through {@link #post}, which retries {@code badNonce} with a fresh
 * nonce, so no caller can forget to. Thread-safe: orders may run concurrently and share
 * the pool; signing is serialized by the signer (one accountd connection).
 */
public final class AcmeConnection implements Closeable {
    /**
     * Attempts per signed request when the CA keeps answering badNonce. Higher than the
     * usual 5 on purpose: at Pebble's PEBBLE_WFE_NONCEREJECT=50, 5 tries lose ~3 % of
     * requests, i.e. most multi-request issuances; 20 tries lose one in a million.
     */
    public static final int MAX_NONCE_TRIES = 20;
    /** Largest response body read (a chain is a few KiB). */
    public static final int MAX_BODY = 4 << 20;
    public static final String JSON = "application/json";
    public static final String PEM_CHAIN = "application/pem-certificate-chain";
    private static final int MAX_POOL = 32;
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    private final CloseableHttpClient http;
    private final URI directoryUrl;
    private final AccountKey key;
    private final Deque<String> nonces = new ConcurrentLinkedDeque<>();
    private Directory directory;

    public AcmeConnection(CloseableHttpClient http, URI directoryUrl, AccountKey key) {
        this.http = http;
        this.directoryUrl = directoryUrl;
        this.key = key;
    }

    public AccountKey key() {
        return key;
    }

    /** The directory, fetched on first use. */
    public synchronized Directory directory() throws AcmeException {
        if (directory == null) {
            AcmeResponse r = send(ClassicRequestBuilder.get(directoryUrl).addHeader("Accept", JSON).build());
            if (!r.success()) {
                throw failure(r, "GET");
            }
            directory = Directory.parse(r.json());
        }
        return directory;
    }

    /** An unused nonce: from the pool, else from a HEAD on newNonce. */
    String nonce() throws AcmeException {
        String n = nonces.pollFirst();
        if (n != null) {
            return n;
        }
        URI url = directory().newNonce();
        AcmeResponse r = send(ClassicRequestBuilder.head(url).build(), false);
        n = r.nonce();
        if (n == null) {
            throw new AcmeException("HEAD " + url + " answered HTTP " + r.status() + " without a Replay-Nonce");
        }
        return n;
    }

    /** POST-as-GET (empty payload, RFC 8555 §6.3) signed with {@code kid}. */
    public AcmeResponse postAsGet(URI url, String kid, String accept) throws AcmeException {
        return post(url, null, kid, accept);
    }

    /**
     * A signed POST; {@code kid} null signs with the JWK instead. A non-2xx answer throws:
     * an {@link AcmeProblemException} (typed) for a problem document.
     *
     * @param payload the JSON payload, or null for POST-as-GET
     */
    public AcmeResponse post(URI url, Map<String, ?> payload, String kid, String accept) throws AcmeException {
        for (int attempt = 1;; attempt++) {
            String body = signedBody(url, payload, kid, nonce());
            AcmeResponse r = send(ClassicRequestBuilder.post(url).addHeader("Accept", accept)
                    .setEntity(new ByteArrayEntity(body.getBytes(StandardCharsets.US_ASCII),
                            ContentType.create("application/jose+json"))).build());
            if (r.success()) {
                return r;
            }
            AcmeException e = failure(r, "POST");
            if (!(e instanceof BadNonceException) || attempt >= MAX_NONCE_TRIES) {
                throw e;
            }
            LOG.debug("badNonce from {} (attempt {}), retrying with a fresh nonce", url, attempt);
        }
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

    private AcmeResponse send(ClassicHttpRequest req) throws AcmeException {
        return send(req, true);
    }

    private AcmeResponse send(ClassicHttpRequest req, boolean pool) throws AcmeException {
        URI url;
        try {
            url = req.getUri();
        } catch (java.net.URISyntaxException e) {
            throw new AcmeException("bad URL: " + e.getMessage());
        }
        AcmeResponse r;
        try {
            r = http.execute(req, resp -> {
                List<Map.Entry<String, String>> headers = new ArrayList<>();
                for (Header h : resp.getHeaders()) {
                    headers.add(new AbstractMap.SimpleImmutableEntry<>(h.getName(), h.getValue()));
                }
                return new AcmeResponse(url, resp.getCode(), headers, read(resp.getEntity()));
            });
        } catch (IOException e) {
            throw new AcmeException(req.getMethod() + " " + url + ": " + Problem.clean(String.valueOf(e.getMessage())), e);
        }
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
                    throw new IOException("response body larger than " + MAX_BODY + " bytes");
                }
                b.write(buf, 0, n);
            }
            return b.toByteArray();
        }
    }

    /** The exception for an unsuccessful response. */
    static AcmeException failure(AcmeResponse r, String method) {
        Problem p = r.problem();
        if (p != null) {
            return AcmeProblemException.of(p, r);
        }
        return new AcmeException(method + " " + r.url() + ": HTTP " + r.status()
                + (r.mediaType().isEmpty() ? "" : " (" + Problem.clean(r.mediaType()) + ")"));
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
