package lacme.client.acme;

import java.time.Duration;

/**
 * {@code rateLimited}: not retried automatically (limits last hours), but the message says
 * when the CA allows the next attempt, so the operator knows what to do.
 */
public class RateLimitedException extends AcmeProblemException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    public RateLimitedException(Problem problem, Duration retryAfter) {
        super(problem, problem.toOneLine() + (retryAfter == null
                ? "; wait before trying again (see the CA's rate limit documentation)"
                : "; try again in " + retryAfter.toSeconds() + " s or later"));
        this.retryAfter = retryAfter;
    }

    /** What the Retry-After header said, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
