package lacme.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import lacme.common.json.Json;
import lacme.common.proto.AccountdCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A protocol-1 responder for tests: greets with the public JWK and signs each well-formed
 * signing input with its own key (Nimbus), standing in for lacme-accountd.
 */
final class TestAccountd {
    final JWK key;
    final JWSAlgorithm alg;
    final AtomicInteger signatures = new AtomicInteger();
    volatile String refusal;

    TestAccountd(JWK key, JWSAlgorithm alg) {
        this.key = key;
        this.alg = alg;
    }

    static TestAccountd rsa() throws JOSEException {
        return new TestAccountd(new RSAKeyGenerator(2048).generate(), JWSAlgorithm.RS256);
    }

    static TestAccountd ec() throws JOSEException {
        return new TestAccountd(new ECKeyGenerator(Curve.P_256).generate(), JWSAlgorithm.ES256);
    }

    /** The JSON line of the public JWK: required members, sorted, no white space. */
    String jwkLine() {
        return Json.write(new TreeMap<>(key.toPublicJWK().getRequiredParams()));
    }

    String thumbprint() throws JOSEException {
        return key.computeThumbprint().toString();
    }

    JWSSigner signer() throws JOSEException {
        return key instanceof RSAKey ? new RSASSASigner((RSAKey) key) : new ECDSASigner((ECKey) key);
    }

    /** Serves one connection on a daemon thread. */
    Thread start(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            try {
                serve(in, out);
            } catch (IOException | JOSEException e) {
                refusal = e.toString();
            } finally {
                try {
                    out.close(); // like lacme-accountd: refuse by closing the connection
                } catch (IOException e) {
                    // gone already
                }
            }
        }, "test-accountd");
        t.setDaemon(true);
        t.start();
        return t;
    }

    void serve(InputStream in, OutputStream out) throws IOException, JOSEException {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("alg", alg.getName());
        extra.put("jwk-thumbprint", thumbprint());
        AccountdCodec.writeGreeting(out, Json.write(extra), jwkLine());
        JWSSigner signer = signer();
        String line;
        while ((line = AccountdCodec.readLine(in)) != null) {
            int dot = line.indexOf('.');
            JWSHeader h;
            try {
                h = JWSHeader.parse(new Base64URL(line.substring(0, dot)));
            } catch (java.text.ParseException | RuntimeException e) {
                refusal = "NOSIGN bad header";
                return;
            }
            boolean ok = h.getAlgorithm().equals(alg) && h.getCustomParam("nonce") instanceof String
                    && h.getCustomParam("url") instanceof String && (h.getJWK() != null ^ h.getKeyID() != null);
            if (!ok) {
                refusal = "NOSIGN " + h;
                return;
            }
            Base64URL sig = signer.sign(h, line.getBytes(StandardCharsets.US_ASCII));
            signatures.incrementAndGet();
            AccountdCodec.writeSignature(out, sig.toString());
        }
    }
}
