package lacme.client.acme;

import lacme.common.json.Json;

import java.net.URI;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An authorization (RFC 8555 §7.1.4): proof of control over one identifier, by one of its
 * challenges. The order process skips {@code valid} ones (reused authorizations), answers
 * {@code pending} ones and fails on the rest.
 */
public final class Authorization {
    private final URI url;
    private final String identifierType;
    private final String identifierValue;
    private final Status status;
    private final boolean wildcard;
    private final List<Challenge> challenges;

    private Authorization(URI url, Map<String, Object> o) throws AcmeException {
        this.url = url;
        try {
            Map<String, Object> id = Json.object(o, "identifier");
            if (id == null) {
                throw new AcmeException("malformed ACME authorization: no identifier");
            }
            identifierType = Json.requireString(id, "type");
            identifierValue = Json.requireString(id, "value");
            status = Status.of(o.get("status"));
            wildcard = Json.bool(o, "wildcard", false);
            challenges = new ArrayList<>();
            for (Map<String, Object> c : Json.objects(o, "challenges")) {
                challenges.add(Challenge.parse(c));
            }
        } catch (ParseException e) {
            throw new AcmeException("malformed ACME authorization: " + e.getMessage());
        }
    }

    /** Parses the authorization fetched from {@code url}. */
    public static Authorization parse(URI url, Map<String, Object> o) throws AcmeException {
        return new Authorization(url, o);
    }

    public URI url() {
        return url;
    }

    /** {@code type:value}, e.g. {@code dns:example.org}, for messages. */
    public String identifier() {
        return Problem.clean(identifierType + ":" + (wildcard ? "*." : "") + identifierValue);
    }

    public String identifierType() {
        return identifierType;
    }

    /** True for the authorization of a wildcard name ({@code *.} + the value). */
    public boolean wildcard() {
        return wildcard;
    }

    public String identifierValue() {
        return identifierValue;
    }

    public Status status() {
        return status;
    }

    public List<Challenge> challenges() {
        return challenges;
    }

    /** The first challenge of {@code type}, or null. */
    public Challenge challenge(String type) {
        for (Challenge c : challenges) {
            if (type.equals(c.type())) {
                return c;
            }
        }
        return null;
    }

    /** Why this authorization failed: its challenges' errors, or its status. */
    public String failure() {
        StringBuilder sb = new StringBuilder("authorization for " + identifier() + " is " + status.json());
        for (Challenge c : challenges) {
            if (c.error() != null) {
                sb.append("; ").append(Problem.clean(String.valueOf(c.type()))).append(": ")
                        .append(c.error().toOneLine());
            }
        }
        return sb.toString();
    }
}
