package lacme.master.csr;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
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
 * A service (certificate) key read from PEM — PKCS#1, SEC1 or PKCS#8 — as the master alone
 * may do. Only RSA and EC keys are accepted, since those are what ACME CAs issue for.
 */
public final class ServiceKey {
    private ServiceKey() {
    }

    /** Reads the key pair; errors name the file. */
    public static KeyPair read(Path file) throws IOException {
        Object o;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser p = new PEMParser(r)) {
            o = p.readObject();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(file + ": No such file or directory");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(file + ": Permission denied");
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a PEM private key");
        }
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        try {
            if (o instanceof PEMKeyPair) {
                return checked(file, conv.getKeyPair((PEMKeyPair) o));
            }
            if (o instanceof PrivateKeyInfo) {
                PrivateKey k = conv.getPrivateKey((PrivateKeyInfo) o);
                return checked(file, new KeyPair(publicOf(file, k), k));
            }
        } catch (IOException e) {
            throw new IOException(file + ": unusable private key (" + e.getMessage() + ")");
        }
        throw new IOException(file + ": not an unencrypted PEM private key");
    }

    private static KeyPair checked(Path file, KeyPair kp) throws IOException {
        String alg = kp.getPrivate().getAlgorithm();
        if (!alg.equals("RSA") && !alg.equals("EC") && !alg.equals("ECDSA")) {
            throw new IOException(file + ": unsupported key type " + alg + " (RSA or EC expected)");
        }
        return kp;
    }

    private static PublicKey publicOf(Path file, PrivateKey k) throws IOException {
        try {
            if (k instanceof RSAPrivateCrtKey) {
                RSAPrivateCrtKey r = (RSAPrivateCrtKey) k;
                return KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(r.getModulus(), r.getPublicExponent()));
            }
            if (k instanceof ECPrivateKey) {
                return EcPublic.derive((ECPrivateKey) k);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        throw new IOException(file + ": unsupported key type " + k.getAlgorithm() + " (RSA or EC expected)");
    }
}
