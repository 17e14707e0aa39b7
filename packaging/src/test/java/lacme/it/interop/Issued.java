package lacme.it.interop;

import lacme.it.Certs;
import lacme.it.interop.Interop.Section;
import lacme.testkit.Pebble;

import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every certificate the interoperability tests get issued must be. */
final class Issued {
    private Issued() {
    }

    /**
     * Checks what lacme installed for a section: the leaf alone and leaf + chain, the
     * requested names as the only SANs, the service key as the leaf's key, and a chain that
     * verifies to Pebble's issuing root.
     */
    static X509Certificate check(Section s, Pebble pebble) throws Exception {
        assertTrue(Files.isRegularFile(s.cert()), "certificate installed: " + s.cert());
        assertTrue(Files.isRegularFile(s.chain()), "certificate chain installed: " + s.chain());
        List<X509Certificate> leafOnly = Certs.parse(s.cert());
        List<X509Certificate> chain = Certs.parse(s.chain());
        assertEquals(1, leafOnly.size(), "certificate file holds the leaf only");
        assertTrue(chain.size() >= 2, "chain file holds the leaf and an intermediate");
        X509Certificate leaf = chain.get(0);
        assertEquals(leafOnly.get(0), leaf);
        assertEquals(new TreeSet<>(s.dnsNames()), Certs.dnsNames(leaf));
        assertArrayEquals(Certs.publicKey(s.key()).getEncoded(), leaf.getPublicKey().getEncoded(),
                "the leaf's key is the service key");
        Certs.verifiesToPebbleRoot(chain, pebble);
        return leaf;
    }
}
