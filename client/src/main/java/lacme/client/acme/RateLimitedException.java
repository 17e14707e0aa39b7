package lacme.client.acme;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * {@code rateLimited}: not retried automatically (limits last hours), but the message says
 * when the CA allows the next attempt — a UTC time and a delay, from {@code Retry-After} —
 * and, when the problem has an {@code instance}, the page that explains the limit (the
 * CA's detail usually names its documentation too), so the operator knows what to do.
 * Subproblems (one per identifier that hit a limit) are listed by {@link Problem#toOneLine()}.
 */
public class RateLimitedException extends AcmeProblemException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    public RateLimitedException(Problem problem, Duration retryAfter) {
        this(problem, retryAfter, Instant.now());
    }

    /** {@code now}: when the answer came, to turn Retry-After into a time of day. */
    public RateLimitedException(Problem problem, Duration retryAfter, Instant now) {
        super(problem, problem.toOneLine() + advice(problem, retryAfter, now));
        this.retryAfter = retryAfter;
    }

    private static String advice(Problem p, Duration retryAfter, Instant now) {
        StringBuilder sb = new StringBuilder("; ");
        if (retryAfter == null) {
            sb.append("wait before trying again (the CA sent no Retry-After; see its rate limit documentation)");
        } else {
            Instant at = now.plus(retryAfter).truncatedTo(ChronoUnit.SECONDS);
            sb.append("do not try again before ").append(at).append(" (in ").append(human(retryAfter)).append(')');
        }
        if (p.instance() != null) {
            sb.append("; details: ").append(Problem.clean(p.instance()));
        }
        return sb.toString();
    }

    /** 3600 s → "3600 s, about 1 h 0 min"; under two minutes just seconds. */
    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + " s";
        }
        long h = s / 3600;
        long m = (s % 3600 + 59) / 60;
        if (m == 60) {
            h++;
            m = 0;
        }
        return s + " s, about " + (h > 0 ? h + " h " : "") + m + " min";
    }

    /** What the Retry-After header said, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
