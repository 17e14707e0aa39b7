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
}
