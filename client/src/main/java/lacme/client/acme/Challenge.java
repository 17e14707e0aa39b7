package lacme.client.acme;

import java.net.URI;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One challenge of an authorization (RFC 8555 §8). The token is attacker-controlled data
 * that becomes a file name in the challenge directory, hence {@link #validToken}.
 */
public final class Challenge {
    /** RFC 8555 §8.1: base64url; anything else could escape the challenge directory. */
    public static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]+");
    public static final String HTTP_01 = "http-01";
    /** RFC 8737; answered by the webserver's TLS responder ({@code [webserver] listen-tls}). */
    public static final String TLS_ALPN_01 = "tls-alpn-01";
    /** RFC 8555 §8.4; the record is published by the master's {@code dns-hook} ({@link TxtRecords}). */
    public static final String DNS_01 = "dns-01";

    private final String type;
    private final URI url;
    private final Status status;
    private final String token;
    private final Problem error;

    private Challenge(Map<String, Object> o) throws AcmeException {
        type = Resources.string(o, "type");
        url = Resources.requireUrl(o, "url", "challenge");
        status = Status.of(o.get("status"));
        token = Resources.string(o, "token");
        error = Resources.problem(o, "error");
    }

    /** Parses a challenge object. */
    public static Challenge parse(Map<String, Object> o) throws AcmeException {
        return new Challenge(o);
    }

    /** True when {@code token} is safe to use as a file name and as a URL path segment. */
    public static boolean validToken(String token) {
        return token != null && token.length() <= 256 && TOKEN.matcher(token).matches();
    }

    /** The key authorization {@code token.thumbprint} (RFC 8555 §8.1), after checking the token. */
    public String keyAuthorization(String thumbprint) throws AcmeException {
        if (!validToken(token)) {
            throw new AcmeException("invalid challenge token '" + Problem.clean(String.valueOf(token)) + "'");
        }
        return token + "." + thumbprint;
    }

    public String type() {
        return type;
    }

    public URI url() {
        return url;
    }

    public Status status() {
        return status;
    }

    public String token() {
        return token;
    }

    /** The validation error, or null. */
    public Problem error() {
        return error;
    }
}
