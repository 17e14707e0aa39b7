package lacme.master.renew;

import java.time.Instant;

/**
 * A renewalInfo answer (RFC 9773 §4.2) as the client reported it: the suggested window,
 * the optional explanationURL (already sanitised by the control codec) and when to ask
 * again (from Retry-After).
 */
public record Window(Instant start, Instant end, String explanationUrl, Instant retryAfter) {
    public Window {
        if (start == null || end == null || !start.isBefore(end)) {
            throw new IllegalArgumentException("invalid ARI window " + start + " … " + end);
        }
    }
}
