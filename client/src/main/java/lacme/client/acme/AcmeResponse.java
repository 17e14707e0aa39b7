package lacme.client.acme;

import lacme.common.json.Json;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP response of the CA, fully read, independent of the HTTP library so that the
 * protocol logic (and its unit tests) never touch a socket.
 */
public final class AcmeResponse {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("lacme-client");
    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^;,]*)*)");
    private static final Pattern REL = Pattern.compile(";\\s*rel\\s*=\\s*(?:\"([^\"]*)\"|([^\\s;,]+))",
            Pattern.CASE_INSENSITIVE);

    private final URI url;
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;

    /** A response to a request for {@code url}; header names compare case-insensitively. */
    public AcmeResponse(URI url, int status, List<Map.Entry<String, String>> headers, byte[] body) {
        this.url = url;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    public URI url() {
        return url;
    }

    public int status() {
        return status;
    }

    public boolean success() {
        return status >= 200 && status < 300;
    }

    /** The first value of header {@code name}, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** Every value of header {@code name}. */
    public List<String> headers(String name) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                out.add(h.getValue());
            }
        }
        return out;
    }

    /** The media type without parameters, lower case, or "" when absent. */
    public String mediaType() {
        String ct = header("Content-Type");
        if (ct == null) {
            return "";
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body as a JSON object; the media type must be {@code application/json}. */
    public Map<String, Object> json() throws AcmeException {
        if (!mediaType().equals("application/json")) {
            throw new AcmeException("unexpected Content-Type '" + Problem.clean(mediaType()) + "' from " + url
                    + " (application/json expected)");
        }
        try {
            return Json.parseObject(text());
        } catch (ParseException e) {
            throw new AcmeException("malformed JSON from " + url + ": " + Problem.clean(e.getMessage()));
        }
    }

    /** The problem document of an error response, or null when it is not one. */
    public Problem problem() {
        if (!mediaType().equals("application/problem+json")) {
            return null;
        }
        try {
            return Problem.parse(text());
        } catch (ParseException e) {
            return null;
        }
    }

    /** The Location header resolved against the request URL, or null; a malformed one is an AcmeException. */
    public URI location() throws AcmeException {
        String l = header("Location");
        if (l == null) {
            return null;
        }
        try {
            return Resources.url(url.resolve(l.trim()).toString(), "Location");
        } catch (IllegalArgumentException e) { // URI.resolve(String) throws that for a malformed URI
            throw new AcmeException("malformed ACME response: 'Location' is not a URL");
        }
    }

    /** The Replay-Nonce header when it is well-formed base64url (RFC 8555 §6.5.1), else null. */
    public String nonce() {
        String n = header("Replay-Nonce");
        return n != null && n.matches("[A-Za-z0-9_-]+") ? n : null;
    }

    /** The Retry-After header as a delay from now, if present and sensible. */
    public Optional<Duration> retryAfter() {
        return Poller.parseRetryAfter(header("Retry-After"), Instant.now());
    }

    /** URLs of every {@code Link} with relation {@code rel}, resolved against the request URL. */
    public List<URI> links(String rel) {
        List<URI> out = new ArrayList<>();
        for (String h : headers("Link")) {
            Matcher m = LINK.matcher(h);
            while (m.find()) {
                Matcher r = REL.matcher(m.group(2));
                while (r.find()) {
                    String rels = r.group(1) != null ? r.group(1) : r.group(2);
                    if (List.of(rels.toLowerCase(Locale.ROOT).split("\\s+")).contains(rel)) {
                        try {
                            out.add(Resources.url(url.resolve(m.group(1).trim()).toString(), "Link"));
                        } catch (AcmeException | IllegalArgumentException e) {
                            // a malformed (or plain http) link is ignored, as a browser would, but said
                            LOG.warn("ignoring the Link rel=\"{}\" from {}: {}", rel, url,
                                    Problem.clean(String.valueOf(e.getMessage())));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The first link with relation {@code rel} as a string, or null. */
    public String link(String rel) {
        List<URI> l = links(rel);
        return l.isEmpty() ? null : l.get(0).toString();
    }
}
