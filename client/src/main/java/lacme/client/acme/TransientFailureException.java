package lacme.client.acme;

/**
 * A request failed in a way that may pass (a connection error, HTTP 500/502/503/504) and
 * {@link AcmeConnection} did not, or no longer, repeat it: the attempts or the deadline ran
 * out, or repeating it was not safe. {@link #mayHaveBeenProcessed()} tells whether the CA
 * may have acted on the last attempt; a caller that knows how to find out (read the
 * order's or the authorization's state) may then recover instead of failing.
 */
public class TransientFailureException extends AcmeException {
    private static final long serialVersionUID = 1L;
    private final boolean mayHaveBeenProcessed;
    private final String failure;

    /**
     * @param failure the failure itself ({@code POST <url>: HTTP 500 ...}), without what
     *                was (not) done about it, which the full message adds
     */
    public TransientFailureException(String message, String failure, boolean mayHaveBeenProcessed, Throwable cause) {
        super(message, cause);
        this.failure = failure;
        this.mayHaveBeenProcessed = mayHaveBeenProcessed;
    }

    /** The failure of the last attempt, for a caller that goes on to recover from it. */
    public String failure() {
        return failure;
    }

    /**
     * False when the failure shows that the CA did not act on the request (no connection,
     * HTTP 503); true when it may have (no or a broken response, HTTP 500/502/504).
     */
    public boolean mayHaveBeenProcessed() {
        return mayHaveBeenProcessed;
    }
}
