package lacme.client.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;

import java.text.ParseException;

/**
 * What the client knows of the account key: its algorithm, its public JWK and thumbprint,
 * and the {@link JWSSigner} that gets signatures made — by lacme-accountd, which alone
 * holds the private key. The JWK may be empty ({@code {}}) when accountd is configured
 * with a key ID; then only {@code kid}-signed requests work, as in lacme.
 */
public final class AccountKey {
    private final JWSAlgorithm alg;
    private final String jwkJson;
    private final String thumbprint;
    private final JWSSigner signer;
    private final String kid;

    /**
     * @param thumbprint the RFC 7638 thumbprint from accountd's greeting, or null to compute it
     * @param kid        the account URL from accountd's greeting ({@code keyid}), or null
     */
    public AccountKey(String alg, String jwkJson, String thumbprint, String kid, JWSSigner signer) {
        this.alg = JWSAlgorithm.parse(alg);
        this.kid = kid;
        this.jwkJson = jwkJson;
        this.signer = signer;
        String t = thumbprint;
        if (t == null) {
            try {
                t = jwkJson.isBlank() || jwkJson.trim().equals("{}") ? null : JWK.parse(jwkJson).computeThumbprint().toString();
            } catch (ParseException | JOSEException e) {
                t = null;
            }
        }
        this.thumbprint = t;
    }

    public JWSAlgorithm alg() {
        return alg;
    }

    /** The account URL accountd announced, or null (then it is looked up). */
    public String kid() {
        return kid;
    }

    public JWSSigner signer() {
        return signer;
    }

    /** The public JWK for {@code jwk}-signed requests (newAccount, revocation by certificate key). */
    public JWK jwk() throws AcmeException {
        try {
            if (jwkJson.trim().equals("{}")) {
                throw new AcmeException("lacme-accountd supplied an empty JWK; try removing the 'keyid' setting"
                        + " from lacme-accountd.conf");
            }
            JWK k = JWK.parse(jwkJson);
            if (k.isPrivate()) {
                throw new AcmeException("lacme-accountd sent a private key as its JWK; refusing to use it");
            }
            return k;
        } catch (ParseException e) {
            throw new AcmeException("lacme-accountd sent a malformed JWK: " + Problem.clean(e.getMessage()));
        }
    }

    /** The RFC 7638 thumbprint, for key authorizations. */
    public String thumbprint() throws AcmeException {
        if (thumbprint == null) {
            throw new AcmeException("no JWK thumbprint from lacme-accountd: cannot answer challenges");
        }
        return thumbprint;
    }
}
