package lacme.client.acme;

import lacme.common.json.Json;

import java.net.URI;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An order (RFC 8555 §7.1.3) as last seen: its state drives the issuance loop
 * (pending → ready → processing → valid, or invalid).
 */
public final class Order {
    private final URI location;
    private final Status status;
    private final List<URI> authorizations;
    private final URI finalizeUrl;
    private final URI certificate;
    private final Problem error;

    private Order(URI location, Map<String, Object> o) throws AcmeException {
        this.location = location;
        status = Status.of(o.get("status"));
        authorizations = new ArrayList<>();
        try {
            for (String a : Json.strings(o, "authorizations")) {
                authorizations.add(Resources.url(a, "authorizations"));
            }
        } catch (ParseException e) {
            throw new AcmeException("malformed ACME order: " + e.getMessage());
        }
        finalizeUrl = Resources.requireUrl(o, "finalize", "order");
        certificate = Resources.url(o, "certificate");
        error = Resources.problem(o, "error");
        if (status == Status.VALID && certificate == null) {
            throw new AcmeException("malformed ACME order: 'valid' without 'certificate'");
        }
    }

    /** Parses an order whose URL is {@code location}. */
    public static Order parse(URI location, Map<String, Object> o) throws AcmeException {
        return new Order(location, o);
    }

    public URI location() {
        return location;
    }

    public Status status() {
        return status;
    }

    public List<URI> authorizations() {
        return authorizations;
    }

    public URI finalizeUrl() {
        return finalizeUrl;
    }

    /** The certificate URL (only when valid), or null. */
    public URI certificate() {
        return certificate;
    }

    /** The order's error, or null. */
    public Problem error() {
        return error;
    }
}
