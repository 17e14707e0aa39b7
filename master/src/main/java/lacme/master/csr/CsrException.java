package lacme.master.csr;

/**
 * A CSR that cannot be built from a section's settings — the cases where lacme's
 * {@code openssl req} fails and lacme says "Couldn't generate CSR". The message is one line
 * naming the offending setting (e.g. {@code subjectAltName: unsupported option 'dns'}).
 */
public class CsrException extends Exception {
    private static final long serialVersionUID = 1L;

    public CsrException(String message) {
        super(message);
    }
}
