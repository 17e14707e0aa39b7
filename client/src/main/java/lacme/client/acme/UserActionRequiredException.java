package lacme.client.acme;

import java.net.URI;

/**
 * {@code userActionRequired}: a human must visit a page (usually to accept new terms of
 * service). The message names the page ({@code instance}, resolved against the request
 * URL as RFC 7807 §3.1 allows a relative reference), the terms ({@code Link:
 * rel="terms-of-service"}, else the directory's {@code meta.termsOfService}) and how to
 * agree with lacme.
 */
public class UserActionRequiredException extends AcmeProblemException {
    private static final long serialVersionUID = 1L;

    public UserActionRequiredException(Problem problem, String termsOfService) {
        this(problem, null, termsOfService);
    }

    /** {@code requestUrl}: what {@code instance} is relative to (may be null). */
    public UserActionRequiredException(Problem problem, URI requestUrl, String termsOfService) {
        super(problem, problem.toOneLine() + advice(problem, requestUrl, termsOfService));
    }

    private static String advice(Problem p, URI base, String tos) {
        StringBuilder sb = new StringBuilder();
        String page = p.instance() == null ? null : resolve(base, p.instance());
        if (page != null) {
            sb.append("; visit ").append(Problem.clean(page));
        }
        if (tos != null) {
            sb.append("; terms of service: ").append(Problem.clean(tos))
                    .append(" (agree with 'lacme account --tos-agreed')");
        }
        if (page == null && tos == null) {
            sb.append("; the CA requires an action on its website before it serves this account again"
                    + " (new terms of service: agree with 'lacme account --tos-agreed')");
        }
        return sb.toString();
    }

    private static String resolve(URI base, String ref) {
        try {
            return base == null ? ref : base.resolve(ref.trim()).toString();
        } catch (IllegalArgumentException e) {
            return ref;
        }
    }
}
