package lacme.master.csr;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPublicKeySpec;

/** Derives an EC public key from a PKCS#8 private key that carries no public point. */
final class EcPublic {
    private EcPublic() {
    }

    /**
     * {@code params}: the key's algorithm parameters. A named curve (what every ACME CA
     * takes) is BouncyCastle's own fixed curve, ready at once; explicit parameters are
     * converted, which builds a new curve and tests its field's primality (~50 ms of a run's
     * critical path, issue 12).
     */
    static PublicKey derive(ECPrivateKey k, ASN1Encodable params) throws GeneralSecurityException {
        X9ECParameters x9 = null;
        if (params instanceof ASN1ObjectIdentifier oid) {
            x9 = CustomNamedCurves.getByOID(oid);
            if (x9 == null) {
                x9 = ECNamedCurveTable.getByOID(oid);
            }
        }
        ECPoint q = x9 != null
                ? new FixedPointCombMultiplier().multiply(x9.getG(), k.getS()).normalize()
                : EC5Util.convertSpec(k.getParams()).getG().multiply(k.getS()).normalize();
        java.security.spec.ECPoint w = new java.security.spec.ECPoint(
                q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, k.getParams()));
    }
}
