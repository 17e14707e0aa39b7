package lacme.master.config;

import lacme.common.config.ConfigException;
import lacme.common.proto.Control;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A section's {@code challenge} setting: the challenge types to answer, in order of preference,
 * separated by commas and/or spaces. Unset means {@code http-01} only, so a lacme 0.8.2
 * configuration behaves the same. The client answers, for each authorization, the first
 * listed type the CA offers.
 */
public final class ChallengePreference {
    /** The types a section may list. */
    public static final Set<String> KNOWN = Set.of("http-01", "dns-01", "tls-alpn-01");

    private ChallengePreference() {
    }

    /** The preference of a section's keys; an error names the section, the key and the bad value. */
    public static List<String> of(String section, String value) throws ConfigException {
        if (value == null || value.isBlank()) {
            return Control.DEFAULT_CHALLENGES;
        }
        List<String> out = new ArrayList<>();
        for (String t : value.trim().split("[\\s,]+")) {
            if (!KNOWN.contains(t)) {
                throw new ConfigException("[" + section + "] challenge: unknown challenge type '" + t
                        + "' (known: dns-01, http-01, tls-alpn-01)");
            }
            if (out.contains(t)) {
                throw new ConfigException("[" + section + "] challenge: '" + t + "' listed twice");
            }
            out.add(t);
        }
        return List.copyOf(out);
    }
}
