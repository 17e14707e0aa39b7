package lacme.master;

/** An error that ends the run with a one-line message and exit status 1 (lacme's die). */
public class Fatal extends Exception {
    private static final long serialVersionUID = 1L;

    public Fatal(String message) {
        super(message);
    }

    public Fatal(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A failure whose cause a child has already printed on stderr (e.g. accountd's "can't
     * open the key file"): exit status 1 with no line of the master's own, so that the
     * operator reads the one line that says what to fix (issue 15).
     */
    public static Fatal alreadyReported() {
        return new Fatal(null);
    }

    /** True for {@link #alreadyReported()}: nothing to print. */
    public boolean reported() {
        return getMessage() == null;
    }
}
