package lacme.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import lacme.common.acme.AcmeRequest;
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
 * closed) every further request fails fast. Protocol 1 gives no reason for a refusal (it is
 * in accountd's log), so the error names what was asked to be signed, read from the signing
 * input the way accountd reads it ({@link AcmeRequest}): the operator sees at once that, say,
 * a deactivation or an order for a name outside accountd's allowlist was refused.
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
        String line = new String(signingInput, StandardCharsets.US_ASCII);
        try {
            return new Base64URL(AccountdCodec.sign(in, out, line));
        } catch (IOException | IllegalArgumentException e) {
            broken = e.getMessage();
            throw new JOSEException("lacme-accountd did not sign " + what(line) + ": " + e.getMessage(), e);
        }
    }

    /** What {@code line} asks for, for an error message: "a deactivation", "a new order for dns:a". */
    static String what(String line) {
        AcmeRequest r;
        try {
            r = AcmeRequest.parse(line);
        } catch (AcmeRequest.MalformedException e) {
            return "a malformed request (" + e.getMessage() + ")";
        }
        String s = r.kind().phrase();
        if (!r.identifiers().isEmpty()) {
            s += " for " + String.join(", ", r.identifiers().stream().map(Object::toString).toList())
                    + " (lacme-accountd.conf may limit 'identifiers')";
        } else if (r.kind() == AcmeRequest.Kind.KEY_CHANGE || r.kind() == AcmeRequest.Kind.DEACTIVATION) {
            s += " (lacme-accountd signs one only when allowed: 'allow' in lacme-accountd.conf or --allow)";
        }
        return s;
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
