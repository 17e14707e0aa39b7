package lacme.client.acme;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How long to wait between two polls of an order, authorization or certificate, and when
 * to give up. The CA's {@code Retry-After} wins (RFC 8555 §8.2: seconds or an HTTP date);
 * without it the delay grows from {@link #INITIAL} by doubling up to {@link #MAX}, so a
 * fast CA answers within a fraction of a second and a slow one is not hammered. One poller
 * covers a whole operation: {@code timeout} (0 = none) bounds the sum of all its waits.
 */
public final class Poller {
    /** First delay without Retry-After. */
    public static final Duration INITIAL = Duration.ofMillis(250);
    /** Longest delay without Retry-After. */
    public static final Duration MAX = Duration.ofSeconds(4);
    /** Shortest delay even when the CA says 0, so a broken CA cannot make us spin. */
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

    /** A poller whose waits end after {@code timeout} (zero or negative: never). */
    public Poller(Duration timeout, Clock clock) {
        this.timeout = timeout;
        this.clock = clock;
        this.start = clock.nanoTime();
    }

    /** The delay before poll number {@code attempt} (0-based) without Retry-After. */
    public static Duration backoff(int attempt) {
        long ms = INITIAL.toMillis() << Math.min(attempt, 16);
        return ms >= MAX.toMillis() ? MAX : Duration.ofMillis(ms);
    }

    /** The delay to use given the server's Retry-After (if any) and the poll count. */
    public Duration nextDelay(Optional<Duration> retryAfter) {
        Duration d = retryAfter.orElse(backoff(attempt));
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
