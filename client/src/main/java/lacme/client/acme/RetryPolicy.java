package lacme.client.acme;

import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.UnsupportedSchemeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * When {@link AcmeConnection} sends a request again after a transient failure, and when it
 * gives up. Kept apart from the connection so that the whole rule — which failures pass,
 * which of them leave open whether the CA acted, which requests may then be replayed, how
 * often and how long to wait — reads in one place.
 *
 * <ul>
 * <li>A <em>transient</em> failure is a connection error or HTTP 500, 502, 503 or 504 (with
 * or without a problem document). Its kind matters:
 * <ul>
 * <li><b>not processed</b>: the failure came while a connection was being set up (refused,
 * connect timeout, no route, unknown host, a reset or cut during the TLS handshake), so no
 * byte of the request left; or HTTP 503 — the server says it did not handle the request
 * (RFC 9110 §15.6.4);</li>
 * <li><b>maybe processed</b>: the request may have reached the CA's application — no
 * response, a cut or a late one (read timeout, reset on an established connection), HTTP
 * 500 {@code serverInternal}, or 502/504 from a gateway that may have forwarded it. (Kept-alive
 * connections idle for a while are checked before reuse, see {@code Https}, so that a
 * connection the CA closed between two polls does not turn into such a failure.)</li>
 * </ul>
 * A TLS failure (untrusted certificate, wrong host name), a malformed HTTP response, an
 * oversized body, another 5xx (501, 505, ...) or an interrupt is never transient.</li>
 * <li>Every request says whether it may be repeated after a "maybe processed" failure
 * ({@link Replay}). {@link Replay#SAFE} requests — the directory GET, the newNonce HEAD,
 * POST-as-GET fetches of accounts, orders, authorizations and certificates — and signed
 * POSTs whose repetition has the effect of one (newAccount, which returns the existing
 * account for the key, RFC 8555 §7.3.1; setting an account's contacts) are sent again,
 * with a fresh signature and nonce, after any transient failure. {@link
 * Replay#IF_NOT_PROCESSED} requests (newOrder, a challenge answer, finalize, account
 * deactivation, revocation) are sent again only after a "not processed" failure; after a
 * "maybe processed" one they fail with a {@link TransientFailureException}, never replayed
 * blindly. The callers that can find out what happened do so by reading state, not by
 * replaying: a challenge is answered again only if its authorization still shows it
 * {@code pending}, an order finalized again only if it is still {@code ready}
 * ({@link OrderProcess}); a revocation is sent again and its {@code alreadyRevoked}
 * answer then taken as success ({@link AcmeClient#revoke}). A newOrder is not repeated: a
 * second order would count against the CA's rate limits while the first one may exist.</li>
 * <li>Bounds: at most {@link #MAX_TRANSIENT_TRIES} attempts per request; waits of
 * {@link #RETRY_INITIAL} doubling up to {@link #RETRY_MAX}, or the {@code Retry-After} of a
 * 503 (up to {@link #MAX_SERVER_DELAY}; a longer one fails at once). Each request belongs
 * to an operation's {@link Poller}: its deadline ({@code timeout}) bounds the waits before
 * a retry as it bounds the polls.</li>
 * <li>{@code rateLimited} and every other 4xx are not retried (limits last hours; the
 * message says when to come back); {@code badNonce} is the connection's own business
 * ({@link AcmeConnection}).</li>
 * </ul>
 */
public final class RetryPolicy {
    /** Attempts per request when it keeps failing transiently (connection error, HTTP 5xx). */
    public static final int MAX_TRANSIENT_TRIES = 5;
    /** Wait before the first repetition after a transient failure; then doubling. */
    public static final Duration RETRY_INITIAL = Duration.ofSeconds(1);
    /** Longest wait between two attempts without Retry-After. */
    public static final Duration RETRY_MAX = Duration.ofSeconds(8);
    /** Longest Retry-After of an HTTP 503 that is waited out; a longer one fails at once. */
    public static final Duration MAX_SERVER_DELAY = Duration.ofMinutes(2);
    /** Statuses that may pass: 500, 502, 503 and 504. */
    public static final Set<Integer> TRANSIENT_STATUS = Set.of(500, 502, 503, 504);
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    /** Whether a request may be sent again after a failure that leaves open whether the CA acted on it. */
    public enum Replay {
        /** Sending it twice has the effect of sending it once: repeated after any transient failure. */
        SAFE,
        /** Repeated only after a failure that shows the CA did not act on it. */
        IF_NOT_PROCESSED
    }

    /** What a failure says about the request it interrupted. */
    enum Failure {
        /** Not transient: reported at once. */
        FATAL,
        /** Transient, and the CA did not act on the request. */
        NOT_PROCESSED,
        /** Transient, and the CA may have acted on the request. */
        MAYBE_PROCESSED
    }

    private RetryPolicy() {
    }

    /**
     * Waits before the next attempt, or throws when there must be none.
     *
     * @param attempts    the transient failures of this request so far, this one included
     * @param serverDelay the {@code Retry-After} of a 503, which replaces the backoff
     */
    static void retryOrGiveUp(String what, Exception cause, boolean maybeProcessed, Replay replay,
            int attempts, Optional<Duration> serverDelay, Poller budget) throws AcmeException {
        if (maybeProcessed && replay != Replay.SAFE) {
            throw new TransientFailureException(what + "; not sent again: the CA may have acted on it", what, true,
                    cause);
        }
        if (attempts >= MAX_TRANSIENT_TRIES) {
            throw new TransientFailureException(what + "; gave up after " + attempts + " attempts", what,
                    maybeProcessed, cause);
        }
        Duration delay = serverDelay.orElse(retryDelay(attempts));
        if (delay.compareTo(MAX_SERVER_DELAY) > 0) {
            throw new TransientFailureException(what + "; the server asked to retry after " + delay.toSeconds()
                    + " s", what, maybeProcessed, cause);
        }
        if (budget.allows(delay)) {
            LOG.warn("{}; trying again in {} ms (attempt {} of {})", what, delay.toMillis(), attempts + 1,
                    MAX_TRANSIENT_TRIES);
        }
        try {
            budget.retryPause(delay, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcmeException(what + "; interrupted", e);
        } catch (AcmeException e) {
            throw new TransientFailureException(e.getMessage(), what, maybeProcessed, cause);
        }
    }

    /** The wait before attempt {@code attempts + 1} without Retry-After: 1, 2, 4, 8, 8, ... s. */
    public static Duration retryDelay(int attempts) {
        long ms = RETRY_INITIAL.toMillis() << Math.min(Math.max(attempts - 1, 0), 16);
        return ms >= RETRY_MAX.toMillis() ? RETRY_MAX : Duration.ofMillis(ms);
    }

    /** What an unsuccessful HTTP status says about the request (see the class comment). */
    static Failure classify(int status) {
        if (!TRANSIENT_STATUS.contains(status)) {
            return Failure.FATAL;
        }
        return status == 503 ? Failure.NOT_PROCESSED : Failure.MAYBE_PROCESSED;
    }

    /** What a connection-level failure says about the request (see the class comment). */
    static Failure classify(IOException e) {
        if (Thread.currentThread().isInterrupted() || e instanceof AcmeConnection.BodyTooLargeException
                || e instanceof ClientProtocolException || e instanceof UnsupportedSchemeException) {
            return Failure.FATAL;
        }
        if (e instanceof SSLException) {
            // certificate and host name refusals are final; a handshake the peer cut is not
            return e instanceof SSLHandshakeException && cutByPeer(e) ? Failure.NOT_PROCESSED : Failure.FATAL;
        }
        if (e instanceof ConnectException || e instanceof ConnectTimeoutException
                || e instanceof NoRouteToHostException || e instanceof UnknownHostException
                || e instanceof PortUnreachableException || duringConnect(e)) {
            return Failure.NOT_PROCESSED;
        }
        if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return Failure.FATAL;
        }
        return Failure.MAYBE_PROCESSED;
    }

    /**
     * True when HttpClient raised {@code e} while it set up a new connection (TCP connect,
     * TLS handshake: its {@code ConnectExec} on the stack without {@code MainClientExec},
     * which sends the request), so no byte of the request left. A reset during the
     * handshake is a plain {@code SocketException}, indistinguishable by type from one in
     * mid-request. Should HttpClient's internals change, this answers false and the
     * failure counts as "maybe processed": safe, only less eager to retry.
     */
    static boolean duringConnect(Throwable e) {
        boolean connect = false;
        for (StackTraceElement f : e.getStackTrace()) {
            String c = f.getClassName();
            if (c.equals("org.apache.hc.client5.http.impl.classic.MainClientExec")) {
                return false;
            }
            if (c.equals("org.apache.hc.client5.http.impl.classic.ConnectExec")) {
                connect = true;
            }
        }
        return connect;
    }

    private static boolean cutByPeer(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof EOFException || c instanceof SocketException) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && m.contains("Remote host terminated the handshake")) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
