package lacme.webserver;

import java.time.Duration;

/**
 * The bounds the challenge webserver enforces. They exist because the server faces the
 * internet during validation: every resource a client can make it hold (memory per
 * connection, connection slots, time) is capped, so that no client can make a CA's
 * validation request wait.
 *
 * @param maxHead        bytes of request line plus header fields; beyond: 414 or 431
 * @param maxHeaderLines header field lines; beyond: 431
 * @param maxFileSize    largest challenge file served (a key authorization is ~90 bytes)
 * @param readTimeout    from accept to the end of the request head; after it: 408 and
 *                       close; it also bounds the whole life of a connection
 * @param maxConnections open connections; at the bound the oldest one is dropped
 * @param maxDrain       bytes discarded after the response before closing (lingering
 *                       close, so the peer sees the response and not a reset)
 */
public record Limits(int maxHead, int maxHeaderLines, int maxFileSize, Duration readTimeout,
        int maxConnections, int maxDrain) {

    /** The production values. */
    public static final Limits DEFAULT =
            new Limits(8192, 100, 4096, Duration.ofSeconds(10), 4096, 65536);

    /** Validates the values. */
    public Limits {
        if (maxHead < 64 || maxHeaderLines < 1 || maxFileSize < 1 || maxConnections < 1
                || maxDrain < 0 || readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("invalid limits");
        }
    }

    /** A copy with another read timeout. */
    public Limits withReadTimeout(Duration d) {
        return new Limits(maxHead, maxHeaderLines, maxFileSize, d, maxConnections, maxDrain);
    }

    /** A copy with another connection bound. */
    public Limits withMaxConnections(int n) {
        return new Limits(maxHead, maxHeaderLines, maxFileSize, readTimeout, n, maxDrain);
    }
}
