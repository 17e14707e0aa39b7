package lacme.master.config;

import lacme.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code challenge} setting: default http-01 only (as lacme), ordered, checked. */
class ChallengePreferenceTest {
    @Test
    void unsetIsHttp01Only() throws ConfigException {
        assertEquals(List.of("http-01"), ChallengePreference.of("s", null));
        assertEquals(List.of("http-01"), ChallengePreference.of("s", "  "));
    }

    @Test
    void keepsTheOrderGiven() throws ConfigException {
        assertEquals(List.of("dns-01", "http-01"), ChallengePreference.of("s", "dns-01, http-01"));
        assertEquals(List.of("tls-alpn-01", "dns-01"), ChallengePreference.of("s", "tls-alpn-01 dns-01"));
    }

    @Test
    void unknownOrRepeatedTypesNameTheSection() {
        assertEquals("[www] challenge: unknown challenge type 'http01' (known: dns-01, http-01, tls-alpn-01)",
                assertThrows(ConfigException.class, () -> ChallengePreference.of("www", "http01")).getMessage());
        assertEquals("[www] challenge: 'dns-01' listed twice",
                assertThrows(ConfigException.class, () -> ChallengePreference.of("www", "dns-01 dns-01")).getMessage());
    }
}
