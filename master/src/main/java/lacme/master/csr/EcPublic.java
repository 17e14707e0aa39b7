package lacme.master.csr;

import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPublicKeySpec;

/** Derives an EC public key from a PKCS#8 private key that carries no public point. */
final class EcPublic {
    private EcPublic() {
    }

    static PublicKey derive(ECPrivateKey k) throws GeneralSecurityException {
        org.bouncycastle.jce.spec.ECParameterSpec bc = EC5Util.convertSpec(k.getParams());
        ECPoint q = bc.getG().multiply(k.getS()).normalize();
        java.security.spec.ECPoint w = new java.security.spec.ECPoint(
                q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, k.getParams()));
    }
}
