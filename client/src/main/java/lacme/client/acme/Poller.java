package lacme.client.acme;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How long to wait between two polls of an order, authorization or certificate, and when
 * to give up. The CA's {@code Retry-After} wins (RFC 8555 §8.2: seconds or an HTTP date),
 * floored at {@link #FLOOR}; without it the delay grows from {@link #INITIAL} (tens of
 * milliseconds: a CA that validates at once, as most do for a renewal, is answered at once)
 * by doubling up to {@link #MAX}, so a slow one is not hammered: a few polls in the first
 * second, then one every {@link #MAX}. One poller
 * covers a whole operation (an order, an account operation, a revocation): {@code timeout}
 * (0 = none) is its deadline, counted from its creation, and bounds every wait of it — the
 * polls, and the waits before {@link AcmeConnection} repeats a request after a transient
 * failure ({@link #retryPause}) — and limits how long a single response is waited for
 * ({@link #responseTimeout}).
 */
public final class Poller {
    /** First delay without Retry-After (issue 12: 250 ms cost a quarter of a second per order). */
    public static final Duration INITIAL = Duration.ofMillis(25);
    /** Longest delay without Retry-After. */
    public static final Duration MAX = Duration.ofSeconds(4);
    /** Shortest delay a CA's Retry-After may ask for (it says 0: a broken CA cannot make us spin). */
    public static final Duration FLOOR = Duration.ofMillis(100);

    /** Time source and sleep, replaceable in tests. */
    public interface Clock {
        long nanoTime();

        void sleep(Duration d) throws InterruptedException;

        /** The real clock. */
        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d.toMillis());
            }
        };
    }

    private final Duration timeout;
    private final Clock clock;
    private final long start;
    private int attempt;

    /** Shortest time a single response is waited for, even when the deadline is nearer. */
    public static final Duration MIN_RESPONSE_TIMEOUT = Duration.ofSeconds(5);

    /** A poller whose waits end after {@code timeout} (zero or negative: never). */
    public Poller(Duration timeout, Clock clock) {
        this.timeout = timeout;
        this.clock = clock;
        this.start = clock.nanoTime();
    }

    /** A poller without deadline on the real clock (for requests outside any operation). */
    public static Poller unbounded() {
        return new Poller(Duration.ZERO, Clock.SYSTEM);
    }

    private boolean bounded() {
        return !timeout.isZero() && !timeout.isNegative();
    }

    /** The time left before the deadline (possibly negative), or empty without deadline. */
    public Optional<Duration> remaining() {
        if (!bounded()) {
            return Optional.empty();
        }
        return Optional.of(timeout.minus(Duration.ofNanos(clock.nanoTime() - start)));
    }

    /**
     * How long one response may be waited for: the time left before the deadline, but at
     * least {@link #MIN_RESPONSE_TIMEOUT} and at most {@code max}; {@code max} without deadline.
     */
    public Duration responseTimeout(Duration max) {
        Duration d = remaining().orElse(max);
        if (d.compareTo(MIN_RESPONSE_TIMEOUT) < 0) {
            d = MIN_RESPONSE_TIMEOUT;
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /**
     * Sleeps {@code delay} before a request is sent again after a transient failure
     * ({@code what} says which, for the error), without counting as a poll.
     *
     * @throws AcmeException when the wait would pass the deadline
     */
    public void retryPause(Duration delay, String what) throws AcmeException, InterruptedException {
        Duration d = delay.compareTo(FLOOR) < 0 ? FLOOR : delay;
        if (!allows(d)) {
            throw new AcmeException(what + "; timeout (" + timeout.toSeconds()
                    + " s) exceeded before it could be retried (in " + Math.max(1, d.toSeconds()) + " s)");
        }
        clock.sleep(d);
    }

    /** Whether a wait of {@code delay} from now ends before the deadline. */
    public boolean allows(Duration delay) {
        return !bounded() || Duration.ofNanos(clock.nanoTime() - start).plus(delay).compareTo(timeout) <= 0;
    }

    /**
     * Starts a new wait (for another state of the order, or another resource): its polls back
     * off from {@link #INITIAL} again, the deadline stays the operation's. Without it, the wait
     * after a finalization began where the wait for the authorizations had got to (issue 12).
     */
    public void newWait() {
        attempt = 0;
    }

    /** The delay before poll number {@code attempt} (0-based) without Retry-After. */
    public static Duration backoff(int attempt) {
        long ms = INITIAL.toMillis() << Math.min(attempt, 16);
        return ms >= MAX.toMillis() ? MAX : Duration.ofMillis(ms);
    }

    /** The delay to use given the server's Retry-After (if any) and the poll count. */
    public Duration nextDelay(Optional<Duration> retryAfter) {
        if (retryAfter.isEmpty()) {
            return backoff(attempt);
        }
        Duration d = retryAfter.get();
        return d.compareTo(FLOOR) < 0 ? FLOOR : d;
    }

    /**
     * Sleeps before the next poll of {@code what}.
     *
     * @throws AcmeException when the wait would pass the timeout
     */
    public void pause(Optional<Duration> retryAfter, String what) throws AcmeException, InterruptedException {
        Duration d = nextDelay(retryAfter);
        attempt++;
        if (!timeout.isZero() && !timeout.isNegative()) {
            Duration elapsed = Duration.ofNanos(clock.nanoTime() - start);
            if (elapsed.plus(d).compareTo(timeout) > 0) {
                throw new AcmeException("timeout (" + timeout.toSeconds() + " s) exceeded while waiting for " + what
                        + (retryAfter.isPresent() ? " (the server asked to retry after " + d.toSeconds() + " s)" : ""));
            }
        }
        clock.sleep(d);
    }

    /**
     * Parses a Retry-After value (RFC 9110 §10.2.3): delta-seconds or an HTTP date.
     * Absent, malformed or past values give empty (the caller backs off on its own).
     */
    public static Optional<Duration> parseRetryAfter(String v, Instant now) {
        if (v == null) {
            return Optional.empty();
        }
        v = v.trim();
        if (v.matches("[0-9]{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant t = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return t.isAfter(now) ? Optional.of(Duration.between(now, t)) : Optional.empty();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
