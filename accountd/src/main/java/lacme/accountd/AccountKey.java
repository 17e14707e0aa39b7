package lacme.accountd;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import lacme.common.json.Json;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The account key as accountd uses it: its JWS algorithm, its public JWK in RFC 7638
 * canonical form (the greeting's second line, so SHA-256 of that line is the thumbprint),
 * and a signer producing JOSE-form signatures (PKCS#1 v1.5 for RS256, raw R||S for
 * ES256/ES384). Only key types an ACME CA accepts for accounts are allowed &mdash; RSA 2048 to
 * 4096 bits and EC P-256/P-384 &mdash; so a wrong key is refused at start, not by the CA
 * later. Signing is thread-safe (the Nimbus signers take a fresh JCA Signature per call).
 */
public final class AccountKey {
    /** Smallest and largest RSA modulus accepted, in bits (what ACME CAs accept for accounts). */
    public static final int RSA_MIN_BITS = 2048;
    public static final int RSA_MAX_BITS = 4096;

    private final JWSAlgorithm alg;
    private final JWSHeader header;
    private final JWSSigner signer;
    private final JWK publicJwk;
    private final String jwkJson;
    private final String thumbprint;

    private AccountKey(JWSAlgorithm alg, JWSSigner signer, JWK publicJwk) {
        this.alg = alg;
        this.header = new JWSHeader(alg);
        this.signer = signer;
        this.publicJwk = publicJwk;
        // RFC 7638 section 3: required members only, lexicographic order, no white space.
        this.jwkJson = Json.write(new TreeMap<>(publicJwk.getRequiredParams()));
        this.thumbprint = Base64URL.encode(sha256(jwkJson.getBytes(StandardCharsets.UTF_8))).toString();
    }

    /**
     * Builds the account key from a decrypted private key; {@code name} (the file) prefixes
     * every error message.
     */
    public static AccountKey of(PrivateKeyInfo pki, String name) throws AccountdException {
        ASN1ObjectIdentifier oid = pki.getPrivateKeyAlgorithm().getAlgorithm();
        AccountKey key;
        try {
            if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
                key = rsa(RSAPrivateKey.getInstance(pki.parsePrivateKey()), name);
            } else if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
                key = ec(pki, name);
            } else {
                throw new AccountdException(name + ": " + typeName(oid) + " keys are not supported "
                        + "(use RSA, " + RSA_MIN_BITS + " to " + RSA_MAX_BITS + " bits, or EC P-256/P-384)");
            }
        } catch (IOException | GeneralSecurityException | JOSEException | IllegalArgumentException e) {
            throw new AccountdException(name + ": Invalid key (" + e.getMessage() + ")", e);
        }
        key.selfTest(name);
        return key;
    }

    private static String typeName(ASN1ObjectIdentifier oid) {
        if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
            return "Ed25519";
        }
        if (EdECObjectIdentifiers.id_Ed448.equals(oid)) {
            return "Ed448";
        }
        if (EdECObjectIdentifiers.id_X25519.equals(oid) || EdECObjectIdentifiers.id_X448.equals(oid)) {
            return "X25519/X448";
        }
        if (X9ObjectIdentifiers.id_dsa.equals(oid)) {
            return "DSA";
        }
        if (PKCSObjectIdentifiers.id_RSASSA_PSS.equals(oid)) {
            return "RSASSA-PSS";
        }
        return "Unknown (OID " + oid.getId() + ")";
    }

    private static AccountKey rsa(RSAPrivateKey k, String name) throws GeneralSecurityException, AccountdException {
        int bits = k.getModulus().bitLength();
        if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
            throw new AccountdException(name + ": RSA key of " + bits + " bits refused (" + RSA_MIN_BITS
                    + " to " + RSA_MAX_BITS + " bits required)");
        }
        KeyFactory kf = KeyFactory.getInstance("RSA");
        var priv = kf.generatePrivate(new RSAPrivateCrtKeySpec(k.getModulus(), k.getPublicExponent(),
                k.getPrivateExponent(), k.getPrime1(), k.getPrime2(), k.getExponent1(), k.getExponent2(),
                k.getCoefficient()));
        var pub = (RSAPublicKey) kf.generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
        return new AccountKey(JWSAlgorithm.RS256, withProvider(new RSASSASigner(nativeKey(priv, "RSA"))),
                new RSAKey.Builder(pub).build());
    }

    private static AccountKey ec(PrivateKeyInfo pki, String name)
            throws IOException, GeneralSecurityException, JOSEException, AccountdException {
        X962Parameters params = X962Parameters.getInstance(pki.getPrivateKeyAlgorithm().getParameters());
        if (!params.isNamedCurve()) {
            throw new AccountdException(name + ": EC key with explicit curve parameters refused "
                    + "(a named curve, P-256 or P-384, is required)");
        }
        ASN1ObjectIdentifier curveOid = ASN1ObjectIdentifier.getInstance(params.getParameters());
        Curve curve;
        JWSAlgorithm alg;
        if (SECObjectIdentifiers.secp256r1.equals(curveOid)) {
            curve = Curve.P_256;
            alg = JWSAlgorithm.ES256;
        } else if (SECObjectIdentifiers.secp384r1.equals(curveOid)) {
            curve = Curve.P_384;
            alg = JWSAlgorithm.ES384;
        } else {
            String cn = ECNamedCurveTable.getName(curveOid);
            throw new AccountdException(name + ": EC key on curve " + (cn != null ? cn : curveOid.getId())
                    + " refused (P-256 or P-384 required)");
        }
        BigInteger d = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(pki.parsePrivateKey()).getKey();
        X9ECParameters x9 = ECNamedCurveTable.getByOID(curveOid);
        if (d.signum() <= 0 || d.compareTo(x9.getN()) >= 0) {
            throw new AccountdException(name + ": Invalid key (private scalar out of range)");
        }
        // The public point is always derived from the private scalar, never taken from the
        // file, so a file whose public part does not match cannot mislead anyone.
        ECPoint q = new FixedPointCombMultiplier().multiply(x9.getG(), d).normalize();
        ECParameterSpec spec = curve.toECParameterSpec();
        KeyFactory kf = KeyFactory.getInstance("EC");
        var priv = (ECPrivateKey) kf.generatePrivate(new ECPrivateKeySpec(d, spec));
        var pub = (ECPublicKey) kf.generatePublic(new ECPublicKeySpec(new java.security.spec.ECPoint(
                q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), spec));
        return new AccountKey(alg, withProvider(new ECDSASigner((ECPrivateKey) nativeKey(priv, "EC"))),
                new ECKey.Builder(curve, pub).build());
    }

    /**
     * The key in the native provider's own form when it signs (converted once here, not at
     * every signature's initSign), else unchanged.
     */
    private static PrivateKey nativeKey(PrivateKey k, String type) throws GeneralSecurityException {
        Provider p = NativeCrypto.choose().provider();
        return p == null ? k : (PrivateKey) KeyFactory.getInstance(type, p).translateKey(k);
    }

    private static <S extends JWSSigner> S withProvider(S signer) {
        signer.getJCAContext().setProvider(NativeCrypto.choose().provider());
        return signer;
    }

    /** Signs and verifies a fixed message, as lacme checks the key before it serves anyone. */
    private void selfTest(String name) throws AccountdException {
        try {
            byte[] msg = "lacme-accountd self-test".getBytes(StandardCharsets.US_ASCII);
            Base64URL sig = signer.sign(header, msg);
            JWSVerifier v = publicJwk instanceof RSAKey
                    ? new RSASSAVerifier((RSAKey) publicJwk) : new ECDSAVerifier((ECKey) publicJwk);
            if (!v.verify(header, msg, sig)) {
                throw new AccountdException(name + ": Invalid key (its signature does not verify)");
            }
        } catch (JOSEException e) {
            throw new AccountdException(name + ": Invalid key (" + e.getMessage() + ")", e);
        }
    }

    /** The JWS algorithm: RS256, ES256 or ES384. */
    public JWSAlgorithm alg() {
        return alg;
    }

    /** The public JWK (never the private members). */
    public JWK publicJwk() {
        return publicJwk;
    }

    /** The public JWK in RFC 7638 canonical form, one line. */
    public String jwkJson() {
        return jwkJson;
    }

    /** base64url(SHA-256(canonical JWK)), RFC 7638. */
    public String thumbprint() {
        return thumbprint;
    }

    /** The greeting's JSON: {@code alg}, {@code jwk-thumbprint}, and {@code kid} when given. */
    public String greetingJson(String kid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alg", alg.getName());
        m.put("jwk-thumbprint", thumbprint);
        if (kid != null) {
            m.put("kid", kid);
        }
        return Json.write(m);
    }

    /** Signs a JWS signing input; returns the base64url JOSE-form signature. */
    public String sign(byte[] signingInput) throws JOSEException {
        return signer.sign(header, signingInput).toString();
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
