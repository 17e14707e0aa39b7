package lacme.master.dns;

import lacme.master.csr.Identifiers.Name;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The master's check of a client's dns-01 record request: names outside the section and malformed values refused. */
class TxtRecordCheckTest {
    private static final List<Name> IDS = List.of(new Name("dns", "www.example.org"), new Name("dns", "*.example.net"),
            new Name("ip", "192.0.2.1"));

    private static String digest(String keyAuthz) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(keyAuthz.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void wildcardMapsToItsBaseDomain() {
        assertEquals("_acme-challenge.example.net", TxtRecordCheck.recordName("*.example.net"));
        assertEquals("_acme-challenge.www.example.org", TxtRecordCheck.recordName("WWW.example.org"));
    }

    @Test
    void acceptsTheSectionsOwnRecordsWithADigest() throws Exception {
        String v = digest("tok.thumb");
        assertDoesNotThrow(() -> TxtRecordCheck.check("www", IDS, "_acme-challenge.www.example.org", v));
        assertDoesNotThrow(() -> TxtRecordCheck.check("www", IDS, "_acme-challenge.example.net", v));
    }

    @Test
    void refusesNamesOutsideTheSection() throws Exception {
        String v = digest("tok.thumb");
        for (String name : List.of("_acme-challenge.other.example", "www.example.org", "_acme-challenge.*.example.net",
                "_acme-challenge.192.0.2.1", "_acme-challenge.www.example.org.evil", "x._acme-challenge.www.example.org")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TxtRecordCheck.check("www", IDS, name, v), name);
            assertTrue(e.getMessage().startsWith("[www] refused DNS record"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> TxtRecordCheck.check("www", IDS, null, v));
    }

    @Test
    void refusesValuesThatAreNotADigest() throws Exception {
        String good = digest("tok.thumb");
        assertTrue(TxtRecordCheck.isDigest(good));
        for (String v : List.of("", good + "A", good.substring(1), good.substring(0, 42) + "=", good.substring(0, 42) + "+",
                "tok.thumb", "\"; rm -rf / #" + "x".repeat(30), good.substring(0, 42) + "B")) {
            assertFalse(TxtRecordCheck.isDigest(v), v);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TxtRecordCheck.check("www", IDS, "_acme-challenge.www.example.org", "a\nb"));
        assertTrue(e.getMessage().startsWith("[www] refused TXT value 'a b'"), e.getMessage());
    }
}
