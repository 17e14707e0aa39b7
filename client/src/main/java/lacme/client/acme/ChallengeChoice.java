package lacme.client.acme;

import java.util.List;
import java.util.Set;

/**
 * Which challenge answers an authorization: the first type of the section's preference
 * that the CA offers and this client can answer. The preference comes from the master
 * (the section's {@code challenge} setting); the offer comes from the CA, so a type the
 * client cannot answer is never picked whatever either side says.
 */
public final class ChallengeChoice {
    /** The types this client answers. */
    public static final Set<String> ANSWERABLE = Set.of(Challenge.HTTP_01, Challenge.TLS_ALPN_01);

    private ChallengeChoice() {
    }

    /**
     * The challenge to answer for {@code a}.
     *
     * @param section the section, named in the error (may be null)
     * @throws AcmeException naming the section and identifier when no preferred type is offered and answerable
     */
    public static Challenge choose(Authorization a, List<String> preference, String section) throws AcmeException {
        return choose(a, preference, section, ANSWERABLE);
    }

    /** The types answerable with the master's dns-01 records: {@link #ANSWERABLE} and dns-01. */
    public static final Set<String> WITH_DNS = Set.of(Challenge.HTTP_01, Challenge.TLS_ALPN_01, Challenge.DNS_01);

    /** As above, answering the types of {@code answerable} ({@link #ANSWERABLE} or {@link #WITH_DNS}). */
    public static Challenge choose(Authorization a, List<String> preference, String section, Set<String> answerable)
            throws AcmeException {
        for (String type : preference) {
            Challenge c = a.challenge(type);
            if (c != null && answerable.contains(type)) {
                return c;
            }
        }
        StringBuilder offered = new StringBuilder();
        for (Challenge c : a.challenges()) {
            offered.append(offered.length() == 0 ? "" : ", ").append(Problem.clean(String.valueOf(c.type())));
        }
        throw new AcmeException((section == null ? "" : "[" + Problem.clean(section) + "] ")
                + "no challenge of the preference (" + String.join(", ", preference) + ") that this client answers"
                + " is offered for " + a.identifier() + " (offered: " + (offered.length() == 0 ? "none" : offered) + ")");
    }
}
