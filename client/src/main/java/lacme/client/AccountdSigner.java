package lacme.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import lacme.common.proto.AccountdCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The one seam through which every ACME request is signed: a Nimbus {@link JWSSigner}
 * that forwards the JWS signing input to lacme-accountd (protocol 1) and returns its
 * signature. The client never sees the account key. One accountd connection serves one
 * request at a time, so signing is serialized; after a failure (accountd refused and
 * closed) every further request fails fast.
 */
public final class AccountdSigner implements JWSSigner {
    private final InputStream in;
    private final OutputStream out;
    private final JWSAlgorithm alg;
    private final JCAContext jca = new JCAContext();
    private String broken;

    /** Signs {@code alg} (from accountd's greeting) over the connection {@code in}/{@code out}. */
    public AccountdSigner(InputStream in, OutputStream out, JWSAlgorithm alg) {
        this.in = in;
        this.out = out;
        this.alg = alg;
    }

    @Override
    public synchronized Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        if (broken != null) {
            throw new JOSEException("lacme-accountd connection unusable: " + broken);
        }
        try {
            return new Base64URL(AccountdCodec.sign(in, out, new String(signingInput, StandardCharsets.US_ASCII)));
        } catch (IOException | IllegalArgumentException e) {
            broken = e.getMessage();
            throw new JOSEException("lacme-accountd: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(alg);
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }
}
