package lacme.client.acme;

/**
 * The CA answered with a problem document (RFC 7807, RFC 8555 §6.7). Subclasses exist for
 * the types the client reacts to differently (retry on {@link BadNonceException}, advice
 * for {@link RateLimitedException} and {@link UserActionRequiredException}); the factory
 * {@link #of} picks the right one so callers can catch by type, as in acme4j.
 */
public class AcmeProblemException extends AcmeException {
    private static final long serialVersionUID = 1L;
    private final transient Problem problem;

    public AcmeProblemException(Problem problem) {
        this(problem, problem.toOneLine());
    }

    protected AcmeProblemException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    /** The problem document. */
    public Problem problem() {
        return problem;
    }

    /** The exception class matching the problem's type. */
    public static AcmeProblemException of(Problem p, AcmeResponse r) {
        return of(p, r, null);
    }

    /**
     * The exception class matching the problem's type; {@code termsOfService} (the
     * directory's meta.termsOfService, may be null) is named in a userActionRequired error
     * when the response has no {@code Link: rel="terms-of-service"}.
     */
    public static AcmeProblemException of(Problem p, AcmeResponse r, String termsOfService) {
        switch (p.shortType()) {
            case "badNonce":
                return new BadNonceException(p);
            case "rateLimited":
                return new RateLimitedException(p, r == null ? null : r.retryAfter().orElse(null),
                        java.time.Instant.now());
            case "userActionRequired":
                String tos = r == null ? null : r.link("terms-of-service");
                return new UserActionRequiredException(p, r == null ? null : r.url(),
                        tos != null ? tos : termsOfService);
            default:
                return new AcmeProblemException(p);
        }
    }
}
