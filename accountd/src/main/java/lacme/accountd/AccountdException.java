package lacme.accountd;

/**
 * A fatal start-up or run-time error. Its message is the one line the user sees; the
 * program exits 255 like lacme-accountd's {@code error()}. Stack traces are for --debug only,
 * because the message must say everything a user needs.
 */
public class AccountdException extends Exception {
    private static final long serialVersionUID = 1L;

    public AccountdException(String message) {
        super(message);
    }

    public AccountdException(String message, Throwable cause) {
        super(message, cause);
    }
}
