package lacme.master.install;

import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code preferred-chain}: an alternate is chosen by its top CA's common name, and only if it carries the same leaf. */
class PreferredChainTest {
    /** leaf ← intermediate ← Old Root (the default) and leaf ← intermediate cross-signed by New Root (the alternate). */
    private final X509Certificate oldRoot = TestCerts.spec().subject("CN=Old Root").key(TestCerts.key("rsa2")).ca()
            .build();
    private final X509Certificate newRoot = TestCerts.spec().subject("CN=New Root").key(TestCerts.key("ec")).ca()
            .build();
    private final X509Certificate inter = TestCerts.spec().subject("CN=Inter").key(TestCerts.key("p384")).ca()
            .issuer(oldRoot, TestCerts.key("rsa2")).build();
    private final X509Certificate cross = TestCerts.spec().subject("CN=Inter").key(TestCerts.key("p384")).ca()
            .issuer(newRoot, TestCerts.key("ec")).build();
    private final X509Certificate leaf = TestCerts.spec().subject("CN=a.example").dns("a.example")
            .issuer(inter, TestCerts.key("p384")).build();
    private final List<X509Certificate> dflt = List.of(leaf, inter);
    private final List<String> warnings = new ArrayList<>();

    private List<X509Certificate> choose(String preferred, String... alternates) {
        return PreferredChain.choose(dflt, List.of(alternates), preferred, warnings::add);
    }

    @Test
    void theAlternateIssuedByThePreferredRootIsChosen() {
        String alt = TestCerts.pem(List.of(leaf, cross));
        assertEquals(List.of(leaf, cross), choose("New Root", alt));
        assertEquals(List.of(leaf, cross, newRoot), choose("New Root", TestCerts.pem(List.of(leaf, cross, newRoot))),
                "a chain ending in the root itself matches by its subject");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void theDefaultStaysWhenItMatchesWhenNothingMatchesOrWhenUnset() {
        String alt = TestCerts.pem(List.of(leaf, cross));
        assertSame(dflt, choose("Old Root", alt));
        assertSame(dflt, choose("Other Root", alt));
        assertSame(dflt, choose(null, alt));
    }

    @Test
    void anAlternateWithAnotherLeafOrGarbageIsIgnored() {
        X509Certificate other = TestCerts.spec().subject("CN=evil.example").dns("a.example")
                .issuer(cross, TestCerts.key("p384")).build();
        assertSame(dflt, choose("New Root", TestCerts.pem(List.of(other, cross)), "garbage"));
        assertEquals(List.of("alternate chain 1 ignored: its leaf is not the issued certificate",
                "alternate chain 2 ignored: its leaf is not the issued certificate"), warnings);
    }
}
