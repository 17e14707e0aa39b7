package lacme.accountd;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The pinned ACME server origin ({@code origin} in lacme-accountd.conf): an https
 * scheme://host:port. A request whose {@code url} or {@code kid} is elsewhere is refused, so
 * a compromised client cannot use the key with another server (or plain http).
 */
public final class Origin {
    private final String origin;

    private Origin(String origin) {
        this.origin = origin;
    }

    /** Parses the configured value: {@code https://host[:port]} (a trailing path is an error). */
    public static Origin parse(String value) throws AccountdException {
        String o = of(value);
        URI u = o == null ? null : URI.create(value);
        if (u == null || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
                || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new AccountdException("origin: '" + AccountLog.printable(value)
                    + "' is not an https origin (https://host[:port])");
        }
        return new Origin(o);
    }

    /** The normalised origin of an absolute https URL without user info, or null. */
    static String of(String url) {
        try {
            URI u = new URI(url);
            if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getRawUserInfo() != null) {
                return null;
            }
            return "https://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + (u.getPort() < 0 ? 443 : u.getPort());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Refuses {@code url} (the header member {@code what}) unless it is on this origin. */
    void check(String what, String url) throws SigningPolicy.Refusal {
        if (!origin.equals(of(url))) {
            throw new SigningPolicy.Refusal(what + " " + AccountLog.printable(url) + " is not on the pinned origin "
                    + origin);
        }
    }

    @Override
    public String toString() {
        return origin;
    }
}
