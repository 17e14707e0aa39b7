package lacme.client.acme;

/** {@code badNonce}: the request is retried with a fresh nonce (RFC 8555 §6.5). */
public class BadNonceException extends AcmeProblemException {
    private static final long serialVersionUID = 1L;

    public BadNonceException(Problem problem) {
        super(problem);
    }
}
