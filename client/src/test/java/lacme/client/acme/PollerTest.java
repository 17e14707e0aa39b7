package lacme.client.acme;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retry-After parsing, backoff and the overall timeout. */
class PollerTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void retryAfterSeconds() {
        assertEquals(Optional.of(Duration.ofSeconds(3)), Poller.parseRetryAfter("3", NOW));
        assertEquals(Optional.of(Duration.ZERO), Poller.parseRetryAfter(" 0 ", NOW));
        assertEquals(Optional.of(Duration.ofSeconds(120)), Poller.parseRetryAfter("120", NOW));
    }

    @Test
    void retryAfterHttpDate() {
        assertEquals(Optional.of(Duration.ofSeconds(90)), Poller.parseRetryAfter("Sun, 01 Mar 2026 12:01:30 GMT", NOW));
        String formatted = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.plusSeconds(5),
                ZoneOffset.UTC));
        assertEquals(Optional.of(Duration.ofSeconds(5)), Poller.parseRetryAfter(formatted, NOW));
    }

    @Test
    void retryAfterInThePastOrMalformedIsIgnored() {
        assertEquals(Optional.empty(), Poller.parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", NOW));
        assertEquals(Optional.empty(), Poller.parseRetryAfter("soon", NOW));
        assertEquals(Optional.empty(), Poller.parseRetryAfter("-5", NOW));
        assertEquals(Optional.empty(), Poller.parseRetryAfter("1.5", NOW));
        assertEquals(Optional.empty(), Poller.parseRetryAfter("99999999999999999999", NOW));
        assertEquals(Optional.empty(), Poller.parseRetryAfter(null, NOW));
    }

    @Test
    void backoffDoublesFromTensOfMillisecondsToFourSeconds() {
        assertEquals(List.of(25L, 50L, 100L, 200L, 400L, 800L, 1600L, 3200L, 4000L, 4000L),
                java.util.stream.IntStream.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 60).mapToObj(Poller::backoff)
                        .map(Duration::toMillis).toList());
    }

    @Test
    void retryAfterWinsAndZeroIsFloored() throws Exception {
        FakeCa.FakeClock clock = new FakeCa.FakeClock();
        Poller p = new Poller(Duration.ZERO, clock);
        p.pause(Optional.of(Duration.ofSeconds(7)), "x");
        p.pause(Optional.of(Duration.ZERO), "x");
        p.pause(Optional.empty(), "x");
        assertEquals(List.of(Duration.ofSeconds(7), Poller.FLOOR, Poller.backoff(2)), clock.sleeps);
    }

    @Test
    void aNewWaitBacksOffFromTheStartAgainButKeepsTheDeadline() throws Exception {
        FakeCa.FakeClock clock = new FakeCa.FakeClock();
        Poller p = new Poller(Duration.ofMillis(200), clock);
        p.pause(Optional.empty(), "x");
        p.pause(Optional.empty(), "x");
        p.newWait();
        p.pause(Optional.empty(), "x");
        assertEquals(List.of(Poller.backoff(0), Poller.backoff(1), Poller.backoff(0)), clock.sleeps);
        p.newWait();
        // 25 + 50 + 25 ms spent: the next 25 fits the 200 ms deadline, 25 + 50 + 100 would not
        p.pause(Optional.empty(), "x");
        assertThrows(AcmeException.class, () -> p.pause(Optional.of(Duration.ofMillis(100)), "x"));
    }

    @Test
    void zeroTimeoutWaitsForever() throws Exception {
        FakeCa.FakeClock clock = new FakeCa.FakeClock();
        Poller p = new Poller(Duration.ZERO, clock);
        for (int i = 0; i < 1000; i++) {
            p.pause(Optional.empty(), "x");
        }
        assertTrue(clock.now > Duration.ofMinutes(60).toNanos());
    }

    @Test
    void timeoutBoundsTheSumOfWaits() throws Exception {
        FakeCa.FakeClock clock = new FakeCa.FakeClock();
        Poller p = new Poller(Duration.ofSeconds(5), clock);
        AcmeException e = assertThrows(AcmeException.class, () -> {
            while (true) {
                p.pause(Optional.empty(), "the order");
            }
        });
        assertEquals("timeout (5 s) exceeded while waiting for the order", e.getMessage());
        assertTrue(clock.now <= Duration.ofSeconds(5).toNanos());
    }
}
