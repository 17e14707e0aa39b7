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

    public TransientFailureException(String message, boolean mayHaveBeenProcessed, Throwable cause) {
        super(message, cause);
        this.mayHaveBeenProcessed = mayHaveBeenProcessed;
    }

    /**
     * False when the failure shows that the CA did not act on the request (no connection,
     * HTTP 503); true when it may have (no or a broken response, HTTP 500/502/504).
     */
    public boolean mayHaveBeenProcessed() {
        return mayHaveBeenProcessed;
    }
}
