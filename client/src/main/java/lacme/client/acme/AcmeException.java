package lacme.client.acme;

/**
 * Any failure of an ACME operation that the client reports to the master as the one-line
 * {@code error} of a result frame. Checked, so that every code path that talks to the CA
 * must decide what a failure means for the order at hand.
 */
public class AcmeException extends Exception {
    private static final long serialVersionUID = 1L;

    public AcmeException(String message) {
        super(message);
    }

    public AcmeException(String message, Throwable cause) {
        super(message, cause);
    }
}
