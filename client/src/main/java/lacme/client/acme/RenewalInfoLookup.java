package lacme.client.acme;

import lacme.common.proto.Control;
import lacme.common.proto.Control.RenewalInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ACME Renewal Information (RFC 9773): the CA's suggested renewal window for each
 * certificate, by one unauthenticated GET of {@code <renewalInfo>/<CertID>} — no signature,
 * so no accountd connection. The CA is hostile like any peer: the window must be a window,
 * Retry-After is clamped (so it can neither make every timer run ask again nor silence ARI
 * for weeks), and the explanationURL is cleaned before it reaches a log.
 */
public final class RenewalInfoLookup {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    private RenewalInfoLookup() {
    }

    /** The answers for {@code ariIds} (in order), or null when the directory has no renewalInfo. */
    public static List<RenewalInfo> fetch(AcmeConnection conn, List<String> ariIds, Poller budget)
            throws AcmeException {
        URI base = conn.directory(budget).renewalInfo();
        if (base == null) {
            return null;
        }
        List<RenewalInfo> out = new ArrayList<>();
        for (String id : ariIds) {
            // the CertID's alphabet is base64url and '.': safe in a path (checked by the codec)
            URI url = URI.create(base.toString().replaceAll("/+$", "") + "/" + id);
            try {
                AcmeResponse r = conn.get(url, budget);
                out.add(parse(id, r.json(), r.retryAfter().orElse(null)));
            } catch (AcmeException e) {
                LOG.warn("Warning: renewalInfo for {}: {}", id, e.getMessage());
                out.add(RenewalInfo.failed(id, e.getMessage()));
            }
        }
        return out;
    }

    /** One renewalInfo object (RFC 9773 §4.2) with the response's Retry-After (null: none). */
    static RenewalInfo parse(String ariId, Map<String, Object> o, Duration retryAfter) throws AcmeException {
        if (!(o.get("suggestedWindow") instanceof Map<?, ?> w)) {
            throw new AcmeException("renewalInfo for " + ariId + " has no suggestedWindow");
        }
        Instant start = time(w.get("start"), ariId, "start");
        Instant end = time(w.get("end"), ariId, "end");
        if (!start.isBefore(end)) {
            throw new AcmeException("renewalInfo for " + ariId + ": window start " + start + " is not before its end "
                    + end);
        }
        String url = o.get("explanationURL") instanceof String s && !s.isBlank() ? Problem.clean(s) : null;
        // whole seconds on the control channel: widened outwards, so start stays before end
        Instant s0 = start.truncatedTo(ChronoUnit.SECONDS);
        Instant e0 = end.equals(end.truncatedTo(ChronoUnit.SECONDS)) ? end
                : end.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        return RenewalInfo.window(ariId, s0, e0, url, clamp(retryAfter));
    }

    /** Retry-After within {@link Control#MIN_RETRY_AFTER} … {@link Control#MAX_RETRY_AFTER}; the default when absent. */
    static Duration clamp(Duration d) {
        if (d == null) {
            return Control.DEFAULT_RETRY_AFTER;
        }
        if (d.compareTo(Control.MIN_RETRY_AFTER) < 0) {
            return Control.MIN_RETRY_AFTER;
        }
        return d.compareTo(Control.MAX_RETRY_AFTER) > 0 ? Control.MAX_RETRY_AFTER : d;
    }

    private static Instant time(Object v, String ariId, String what) throws AcmeException {
        if (v instanceof String s && s.length() <= 64) {
            try {
                Instant t = OffsetDateTime.parse(s).toInstant();
                if (t.getEpochSecond() >= 0 && t.getEpochSecond() <= 253402300799L) {
                    return t;
                }
            } catch (DateTimeParseException e) {
                // the error below
            }
        }
        throw new AcmeException("renewalInfo for " + ariId + ": malformed suggestedWindow " + what);
    }
}
