package lacme.master.csr;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;

/**
 * A service (certificate) key, read here because the master alone may read it. Accepted as
 * {@code openssl req -key} accepts it: PEM (PKCS#1, SEC1 — also after an "EC PARAMETERS" block,
 * as {@code openssl ecparam -genkey} writes — or PKCS#8) or DER. Only RSA and EC keys are used,
 * which is what ACME CAs issue for; an encrypted key is refused (lacme's openssl would prompt
 * for a passphrase on the terminal).
 */
public final class ServiceKey {
    private ServiceKey() {
    }

    /** Reads the key pair; errors name the file. */
    public static KeyPair read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(file + ": No such file or directory");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(file + ": Permission denied");
        }
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        Object o = null;
        if (new String(bytes, StandardCharsets.ISO_8859_1).contains("-----BEGIN ")) {
            try (PEMParser p = new PEMParser(new StringReader(new String(bytes, StandardCharsets.ISO_8859_1)))) {
                for (Object x; (x = p.readObject()) != null; ) {
                    if (x instanceof PEMKeyPair || x instanceof PrivateKeyInfo || x instanceof PEMEncryptedKeyPair
                            || x instanceof PKCS8EncryptedPrivateKeyInfo) {
                        o = x;
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw new IOException(file + ": not a PEM private key");
            }
        } else {
            o = der(bytes);
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IOException(file + ": encrypted private keys are not supported");
        }
        try {
            if (o instanceof PEMKeyPair && ((PEMKeyPair) o).getPublicKeyInfo() != null) {
                return checked(file, conv.getKeyPair((PEMKeyPair) o));
            }
            if (o instanceof PEMKeyPair) {
                o = ((PEMKeyPair) o).getPrivateKeyInfo(); // SEC1 without the optional public key
            }
            if (o instanceof PrivateKeyInfo) {
                PrivateKeyInfo pki = (PrivateKeyInfo) o;
                PrivateKey k = conv.getPrivateKey(pki);
                return checked(file, new KeyPair(publicOf(file, k, pki.getPrivateKeyAlgorithm().getParameters()), k));
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": unusable private key (" + e.getMessage() + ")");
        }
        throw new IOException(file + ": no private key found");
    }

    /** A DER private key: PKCS#8, PKCS#1 RSA or SEC1 EC; null if it is none of these. */
    private static Object der(byte[] bytes) {
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(bytes);
            if (seq.size() >= 3 && seq.getObjectAt(1) instanceof ASN1Sequence) {
                return PrivateKeyInfo.getInstance(seq);
            }
            if (seq.size() == 9) {
                RSAPrivateKey r = RSAPrivateKey.getInstance(seq);
                return new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
                        DERNull.INSTANCE), r);
            }
            org.bouncycastle.asn1.sec.ECPrivateKey ec = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(seq);
            if (ec.getParametersObject() == null) {
                return null;
            }
            return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                    ec.getParametersObject()), ec);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static KeyPair checked(Path file, KeyPair kp) throws IOException {
        String alg = kp.getPrivate().getAlgorithm();
        if (!alg.equals("RSA") && !alg.equals("EC") && !alg.equals("ECDSA")) {
            throw new IOException(file + ": unsupported key type " + alg + " (RSA or EC expected)");
        }
        return kp;
    }

    private static PublicKey publicOf(Path file, PrivateKey k, org.bouncycastle.asn1.ASN1Encodable params)
            throws IOException {
        try {
            if (k instanceof RSAPrivateCrtKey) {
                RSAPrivateCrtKey r = (RSAPrivateCrtKey) k;
                return KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(r.getModulus(), r.getPublicExponent()));
            }
            if (k instanceof ECPrivateKey) {
                return EcPublic.derive((ECPrivateKey) k, params);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        throw new IOException(file + ": unsupported key type " + k.getAlgorithm() + " (RSA or EC expected)");
    }
}
