package lacme.client.acme;

import lacme.common.json.Json;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first preferred type that is offered and answerable wins; none is an error naming section and identifier. */
class ChallengeChoiceTest {
    private static final URI HERE = URI.create("https://ca.test/authz/b");

    private static Authorization authz(String file) throws Exception {
        return Authorization.parse(HERE, Json.parseObject(FakeCa.fixture(file)));
    }

    @Test
    void firstOfferedAndAnswerableTypeInPreferenceOrder() throws Exception {
        Authorization b = authz("authz-b-pending.json"); // offers dns-01, http-01, tls-alpn-01
        assertEquals("https://ca.test/chall/b", ChallengeChoice.choose(b, List.of("http-01"), "s").url().toString());
        // a type the client cannot answer is passed over even when preferred and offered
        assertEquals("http-01", ChallengeChoice.choose(b, List.of("no-such-01", "http-01"), "s").type());
    }

    @Test
    void noneIsAnErrorNamingSectionAndIdentifier() throws Exception {
        Authorization dnsOnly = authz("authz-b-dns-only.json");
        AcmeException e = assertThrows(AcmeException.class,
                () -> ChallengeChoice.choose(dnsOnly, List.of("http-01"), "www\n"));
        assertTrue(e.getMessage().startsWith("[www"), e.getMessage());
        assertTrue(e.getMessage().contains("dns:b.example"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }
}
