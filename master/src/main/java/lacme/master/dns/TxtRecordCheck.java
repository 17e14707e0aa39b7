package lacme.master.dns;

import lacme.common.text.Sanitize;
import lacme.master.csr.Identifiers;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the master checks before it runs a section's {@code dns-hook} for a record the client
 * asks for. The client is distrusted (it talks to the CA and parses its answers): it may only
 * have a TXT record set under {@code _acme-challenge.} plus one of the section's own DNS
 * identifiers (a wildcard {@code *.x} maps to {@code _acme-challenge.x}, RFC 8555 §8.4), and
 * the value must have the form of a key-authorization digest (base64url of a SHA-256, 43
 * characters, no padding), so a compromised client cannot publish arbitrary records through
 * the hook nor feed the hook a string it would have to quote.
 */
public final class TxtRecordCheck {
    private static final String PREFIX = "_acme-challenge.";
    private static final Pattern DIGEST = Pattern.compile("[A-Za-z0-9_-]{43}");

    private TxtRecordCheck() {
    }

    /** The record name dns-01 uses for a DNS identifier (wildcard or not). */
    public static String recordName(String dnsIdentifier) {
        String base = dnsIdentifier.startsWith("*.") ? dnsIdentifier.substring(2) : dnsIdentifier;
        return PREFIX + base.toLowerCase(Locale.ROOT);
    }

    /**
     * Checks a request for the TXT record {@code name} = {@code value} of {@code section}.
     *
     * @throws IllegalArgumentException with a one-line reason naming the section when refused
     */
    public static void check(String section, List<Identifiers.Name> identifiers, String name, String value) {
        if (name == null || !isRecordOf(identifiers, name)) {
            throw new IllegalArgumentException("[" + section + "] refused DNS record '" + Sanitize.line(name, 80)
                    + "': not _acme-challenge. plus one of the section's DNS identifiers");
        }
        if (!isDigest(value)) {
            throw new IllegalArgumentException("[" + section + "] refused TXT value '" + Sanitize.line(value, 80)
                    + "' for " + name + ": not a key-authorization digest (43 base64url characters)");
        }
    }

    private static boolean isRecordOf(List<Identifiers.Name> identifiers, String name) {
        for (Identifiers.Name n : identifiers) {
            if ("dns".equals(n.type()) && recordName(n.value()).equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** 43 base64url characters that decode to 32 bytes and encode back the same (no stray low bits). */
    static boolean isDigest(String value) {
        if (value == null || !DIGEST.matcher(value).matches()) {
            return false;
        }
        byte[] raw = Base64.getUrlDecoder().decode(value);
        return raw.length == 32 && Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(value);
    }
}
