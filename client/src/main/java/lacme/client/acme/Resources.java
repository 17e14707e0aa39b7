package lacme.client.acme;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * Small parsing helpers shared by the resource classes. Every URL the CA hands out must be an
 * absolute https URL: a plain-http URL would send signed requests, nonces and the certificate
 * over a channel anyone on the path can read and rewrite (issue 10, finding 8).
 */
final class Resources {
    private Resources() {
    }

    /** The member {@code key} as an absolute https URL; null when absent. */
    static URI url(Map<String, Object> o, String key) throws AcmeException {
        Object v = o.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String)) {
            throw new AcmeException("malformed ACME object: '" + key + "' is not a string");
        }
        return url((String) v, key);
    }

    /** {@code s} as an absolute https URL. */
    static URI url(String s, String what) throws AcmeException {
        try {
            URI u = new URI(s);
            if (!u.isAbsolute() || u.getHost() == null) {
                throw new AcmeException("malformed ACME object: '" + what + "' is not an absolute URL");
            }
            requireHttps(u, "'" + what + "'");
            return u;
        } catch (URISyntaxException e) {
            throw new AcmeException("malformed ACME object: '" + what + "' is not a URL");
        }
    }

    /** Refuses a URL that is not https; {@code what} names where it came from. */
    static void requireHttps(URI u, String what) throws AcmeException {
        if (!"https".equalsIgnoreCase(u.getScheme())) {
            throw new AcmeException(what + " is not an https URL: " + Problem.clean(u.toString())
                    + " (ACME is spoken over https only)");
        }
    }

    /** A required https URL member. */
    static URI requireUrl(Map<String, Object> o, String key, String object) throws AcmeException {
        URI u = url(o, key);
        if (u == null) {
            throw new AcmeException("malformed ACME " + object + ": no '" + key + "'");
        }
        return u;
    }

    /** A string member or null (wrong type: null). */
    static String string(Map<String, Object> o, String key) {
        Object v = o.get(key);
        return v instanceof String ? (String) v : null;
    }

    /** A problem member ({@code error}) or null. */
    @SuppressWarnings("unchecked")
    static Problem problem(Map<String, Object> o, String key) {
        Object v = o.get(key);
        return v instanceof Map ? Problem.parse((Map<String, Object>) v) : null;
    }
}
