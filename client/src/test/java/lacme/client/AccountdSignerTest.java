package lacme.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import lacme.common.proto.AccountdCodec;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketPair;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JWSSigner seam: signatures come from the accountd side of a socket, in JOSE form. */
class AccountdSignerTest {
    private static JWSObject signOnce(TestAccountd acc, JWSHeader header) throws Exception {
        try (AFUNIXSocketPair<AFUNIXSocketChannel> p = AFUNIXSocketPair.open()) {
            acc.start(Channels.newInputStream(p.getSocket2()), Channels.newOutputStream(p.getSocket2()));
            InputStream in = new BufferedInputStream(Channels.newInputStream(p.getSocket1()));
            OutputStream out = Channels.newOutputStream(p.getSocket1());
            AccountdCodec.Greeting g = AccountdCodec.readGreeting(in);
            assertEquals(acc.thumbprint(), g.thumbprint());
            assertEquals(acc.jwkLine(), g.jwk());
            JWSObject jws = new JWSObject(header, new Payload("{\"x\":1}"));
            jws.sign(new AccountdSigner(in, out, acc.alg));
            return jws;
        }
    }

    private static JWSHeader header(TestAccountd acc) {
        return new JWSHeader.Builder(acc.alg).keyID("https://ca.test/acct/1")
                .customParam("nonce", "abc").customParam("url", "https://ca.test/x").build();
    }

    @Test
    void rs256SignatureVerifies() throws Exception {
        TestAccountd acc = TestAccountd.rsa();
        JWSObject jws = signOnce(acc, header(acc));
        assertTrue(jws.verify(new RSASSAVerifier(((RSAKey) acc.key).toRSAPublicKey())));
    }

    @Test
    void es256SignatureIsRawRAndS() throws Exception {
        TestAccountd acc = TestAccountd.ec();
        JWSObject jws = signOnce(acc, header(acc));
        assertEquals(64, jws.getSignature().decode().length);
        assertTrue(jws.verify(new ECDSAVerifier(((ECKey) acc.key).toECPublicKey())));
    }

    @Test
    void refusalBecomesAnErrorAndTheSignerStaysBroken() throws Exception {
        TestAccountd acc = TestAccountd.rsa();
        try (AFUNIXSocketPair<AFUNIXSocketChannel> p = AFUNIXSocketPair.open()) {
            acc.start(Channels.newInputStream(p.getSocket2()), Channels.newOutputStream(p.getSocket2()));
            InputStream in = new BufferedInputStream(Channels.newInputStream(p.getSocket1()));
            OutputStream out = Channels.newOutputStream(p.getSocket1());
            AccountdCodec.readGreeting(in);
            AccountdSigner signer = new AccountdSigner(in, out, acc.alg);
            // no nonce: the responder refuses (NOSIGN) and closes, as lacme-accountd does
            JWSHeader bad = new JWSHeader.Builder(acc.alg).keyID("k").customParam("url", "u").build();
            JOSEException e = assertThrows(JOSEException.class, () -> new JWSObject(bad, new Payload("")).sign(signer));
            assertTrue(e.getMessage().contains("lacme-accountd"), e.getMessage());
            JOSEException again = assertThrows(JOSEException.class,
                    () -> new JWSObject(header(acc), new Payload("")).sign(signer));
            assertTrue(again.getMessage().contains("unusable"), again.getMessage());
        }
    }

    /**
     * A refusal names what was refused (protocol 1 carries no reason): a deactivation, a new
     * order with its identifiers, as one line.
     */
    @Test
    void aRefusalNamesWhatWasRefused() throws Exception {
        TestAccountd acc = TestAccountd.ec();
        JWSHeader kid = new JWSHeader.Builder(acc.alg).keyID("https://ca/acct/1").customParam("nonce", "n")
                .customParam("url", "https://ca/acct/1").build();
        String[][] cases = {
            {"{\"status\":\"deactivated\"}", "lacme-accountd did not sign a deactivation (lacme-accountd signs one only"
                    + " when allowed: 'allow' in lacme-accountd.conf or --allow): lost connection with lacme-accountd"},
            {"{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"},{\"type\":\"ip\",\"value\":\"192.0.2.1\"}]}",
                "lacme-accountd did not sign a new order for dns:a.example, ip:192.0.2.1 (lacme-accountd.conf may limit"
                    + " 'identifiers'): lost connection"},
            {"{\"protected\":\"e30\",\"payload\":\"e30\",\"signature\":\"e30\"}",
                "lacme-accountd did not sign an account key change (lacme-accountd signs one only when allowed"},
            {"{\"csr\":\"x\"}", "lacme-accountd did not sign an order finalization: lost connection"}};
        for (String[] c : cases) {
            // accountd closed the connection without a signature: what a refusal looks like
            AccountdSigner signer = new AccountdSigner(new java.io.ByteArrayInputStream(new byte[0]),
                    new java.io.ByteArrayOutputStream(), acc.alg);
            JOSEException e = assertThrows(JOSEException.class, () -> new JWSObject(kid, new Payload(c[0])).sign(signer));
            assertTrue(e.getMessage().startsWith(c[1]), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line");
        }
    }
}
