package lacme.client.acme;

import java.net.URI;
import java.util.Map;

/**
 * The ACME directory (RFC 8555 §7.1.1): where every other resource lives. Fetched once per
 * client process and shared by all orders. Optional resources (keyChange, renewalInfo) are
 * null when the CA does not offer them.
 */
public final class Directory {
    private final URI newNonce;
    private final URI newAccount;
    private final URI newOrder;
    private final URI revokeCert;
    private final URI keyChange;
    private final URI renewalInfo;
    private final String termsOfService;
    private final boolean externalAccountRequired;
    /** meta.profiles: name → description (sanitised), in the CA's order; empty when none. */
    private final Map<String, String> profiles;

    private Directory(Map<String, Object> o) throws AcmeException {
        newNonce = Resources.requireUrl(o, "newNonce", "directory");
        newAccount = Resources.requireUrl(o, "newAccount", "directory");
        newOrder = Resources.requireUrl(o, "newOrder", "directory");
        revokeCert = Resources.url(o, "revokeCert");
        keyChange = Resources.url(o, "keyChange");
        renewalInfo = Resources.url(o, "renewalInfo");
        Object m = o.get("meta");
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = m instanceof Map ? (Map<String, Object>) m : Map.of();
        termsOfService = Resources.string(meta, "termsOfService");
        externalAccountRequired = Boolean.TRUE.equals(meta.get("externalAccountRequired"));
        Map<String, String> p = new java.util.TreeMap<>();
        if (meta.get("profiles") instanceof Map<?, ?> m2) {
            for (Map.Entry<?, ?> e : m2.entrySet()) {
                if (p.size() < MAX_PROFILES) {
                    p.put(Problem.clean(String.valueOf(e.getKey())), Problem.clean(String.valueOf(e.getValue())));
                }
            }
        }
        profiles = java.util.Collections.unmodifiableMap(p);
    }

    /** Profiles kept from meta.profiles at most (a hostile CA could send thousands). */
    static final int MAX_PROFILES = 64;

    /** meta.profiles (draft-aaron-acme-profiles): name → description; empty when the CA has none. */
    public Map<String, String> profiles() {
        return profiles;
    }

    /** Parses a directory object. */
    public static Directory parse(Map<String, Object> o) throws AcmeException {
        return new Directory(o);
    }

    public URI newNonce() {
        return newNonce;
    }

    public URI newAccount() {
        return newAccount;
    }

    public URI newOrder() {
        return newOrder;
    }

    /** The revokeCert resource, or an error when the CA has none. */
    public URI revokeCert() throws AcmeException {
        if (revokeCert == null) {
            throw new AcmeException("the ACME server offers no revokeCert resource");
        }
        return revokeCert;
    }

    public URI keyChange() {
        return keyChange;
    }

    public URI renewalInfo() {
        return renewalInfo;
    }

    /** meta.termsOfService, or null. */
    public String termsOfService() {
        return termsOfService;
    }

    public boolean externalAccountRequired() {
        return externalAccountRequired;
    }
}
