package lacme.client.acme;

/**
 * Status of an ACME object (RFC 8555 §7.1.6). An unknown value maps to {@link #UNKNOWN}
 * rather than failing the parse, so that a CA adding a state cannot crash the client; the
 * state machines treat UNKNOWN as "not done yet" until the timeout.
 */
public enum Status {
    PENDING, READY, PROCESSING, VALID, INVALID, DEACTIVATED, EXPIRED, REVOKED, UNKNOWN;

    /** The status named by the JSON string {@code s} (null or unknown: UNKNOWN). */
    public static Status of(Object s) {
        if (s instanceof String) {
            for (Status v : values()) {
                if (v != UNKNOWN && v.name().equalsIgnoreCase((String) s)) {
                    return v;
                }
            }
        }
        return UNKNOWN;
    }

    /** The JSON spelling. */
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
