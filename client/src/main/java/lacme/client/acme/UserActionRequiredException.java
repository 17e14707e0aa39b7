package lacme.client.acme;

/**
 * {@code userActionRequired}: a human must visit a page (usually new terms of service);
 * the message names the page ({@code instance}) and the terms ({@code Link:
 * rel="terms-of-service"}) and says how to agree with lacme.
 */
public class UserActionRequiredException extends AcmeProblemException {
    private static final long serialVersionUID = 1L;

    public UserActionRequiredException(Problem problem, String termsOfService) {
        super(problem, problem.toOneLine()
                + (problem.instance() != null ? "; visit " + Problem.clean(problem.instance()) : "")
                + (termsOfService != null ? "; terms of service: " + Problem.clean(termsOfService)
                        + " (agree with 'lacme account --tos-agreed')" : ""));
    }
}
