package lacme.master.csr;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.security.KeyPair;
import java.security.Provider;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds the PKCS#10 request lacme 0.8.2 builds with {@code openssl req -new -batch -key KEY
 * [-HASH] -subj SUBJECT -reqexts v3_req}, from the same settings and failing in the same cases:
 * the subject ({@link SubjectParser}); basicConstraints critical CA:FALSE; subjectKeyIdentifier
 * (SHA-1 of the public key); keyUsage (always critical: lacme writes {@code critical, VALUE});
 * subjectAltName ({@link SubjectAltNames}); tlsfeature ({@code status_request},
 * {@code status_request_v2} or a number); signed with {@code hash} (default sha256).
 * Building it here rather than running openssl keeps the service key inside this JVM.
 */
public final class CsrBuilder {
    /** lacme's list of acceptable {@code hash} values (anything else: no CSR). */
    public static final List<String> HASHES = List.of("md5", "rmd160", "sha1", "sha224", "sha256", "sha384", "sha512");
    private static final Map<String, String> DIGEST = Map.of("md5", "MD5", "rmd160", "RIPEMD160", "sha1", "SHA1",
            "sha224", "SHA224", "sha256", "SHA256", "sha384", "SHA384", "sha512", "SHA512");
    private static final String[][] KEY_USAGE = {
        {"digitalSignature", "Digital Signature"}, {"nonRepudiation", "Non Repudiation"},
        {"keyEncipherment", "Key Encipherment"}, {"dataEncipherment", "Data Encipherment"},
        {"keyAgreement", "Key Agreement"}, {"keyCertSign", "Certificate Sign"}, {"cRLSign", "CRL Sign"},
        {"encipherOnly", "Encipher Only"}, {"decipherOnly", "Decipher Only"},
    };
    private static final ASN1ObjectIdentifier TLS_FEATURE = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.24");
    /**
     * BouncyCastle's JCA provider only for RIPEMD160withRSA, which the JDK lacks: constructing
     * it registers hundreds of algorithm classes, a third of a second of CPU at every start
     * (issue 12), so the JDK's own providers sign everything else (the same algorithm
     * identifiers; RSA PKCS#1 v1.5 gives the same bytes).
     */
    private static final class Bc {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }

    private CsrBuilder() {
    }

    /**
     * Builds the DER-encoded CSR.
     *
     * @param subject, subjectAltName, keyUsage, tlsfeature, hash the section's settings (null: unset)
     * @param warn receives openssl's non-fatal warnings (skipped subject attributes)
     */
    public static byte[] build(KeyPair kp, String subject, String subjectAltName, String keyUsage,
                               String tlsfeature, String hash, Consumer<String> warn) throws CsrException {
        if (hash != null && !HASHES.contains(hash)) {
            throw new CsrException("hash: '" + hash + "' is not one of " + String.join(", ", HASHES));
        }
        X500Name name = SubjectParser.parse(subject, warn);
        JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(name, kp.getPublic());
        ExtensionsGenerator ext = new ExtensionsGenerator();
        try {
            ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
            ext.addExtension(Extension.subjectKeyIdentifier, false,
                    new BcX509ExtensionUtils().createSubjectKeyIdentifier(spki));
            if (keyUsage != null) {
                ConfValue v = ConfValue.parse("keyUsage", "critical, " + keyUsage);
                ext.addExtension(Extension.keyUsage, v.critical, keyUsage(v));
            }
            if (subjectAltName != null) {
                SubjectAltNames.ParsedExtension san = SubjectAltNames.parse(subjectAltName);
                ext.addExtension(Extension.subjectAlternativeName, san.critical(), san.names());
            }
            if (tlsfeature != null) {
                ConfValue v = ConfValue.parse("tlsfeature", tlsfeature);
                ext.addExtension(TLS_FEATURE, v.critical, tlsFeature(v));
            }
        } catch (IOException e) {
            throw new CsrException("cannot encode an extension: " + e.getMessage());
        }
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
        String h = hash == null ? "sha256" : hash;
        String alg = kp.getPrivate().getAlgorithm().equals("RSA") ? "RSA" : "ECDSA";
        if (alg.equals("ECDSA") && (h.equals("md5") || h.equals("rmd160"))) {
            throw new CsrException("hash: " + h + " cannot be used with an EC key");
        }
        try {
            JcaContentSignerBuilder signer = new JcaContentSignerBuilder(DIGEST.get(h) + "with" + alg);
            if (h.equals("rmd160")) {
                signer.setProvider(Bc.PROVIDER);
            }
            return b.build(signer.build(kp.getPrivate())).getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new CsrException("cannot sign the CSR: " + e.getMessage());
        }
    }

    /** v2i_ASN1_BIT_STRING: each item's name (short or long, case-sensitive) is a bit. */
    private static KeyUsage keyUsage(ConfValue v) throws CsrException {
        int bits = 0;
        for (ConfValue.Item it : v.items) {
            int bit = -1;
            for (int i = 0; i < KEY_USAGE.length; i++) {
                if (KEY_USAGE[i][0].equals(it.name()) || KEY_USAGE[i][1].equals(it.name())) {
                    bit = i;
                }
            }
            if (bit < 0) {
                throw new CsrException("keyUsage: unknown bit string argument '" + it.name() + "'");
            }
            bits |= bit < 8 ? 0x80 >> bit : KeyUsage.decipherOnly;
        }
        return new KeyUsage(bits);
    }

    /** v2i_TLS_FEATURE: a feature name (any case) or a number 0–65535, per item. */
    private static DERSequence tlsFeature(ConfValue v) throws CsrException {
        ASN1EncodableVector out = new ASN1EncodableVector();
        for (ConfValue.Item it : v.items) {
            String x = it.value() != null ? it.value() : it.name();
            String l = x.toLowerCase(Locale.ROOT);
            long id;
            if (l.equals("status_request")) {
                id = 5;
            } else if (l.equals("status_request_v2")) {
                id = 17;
            } else if (x.matches("[+-]?[0-9]{1,18}")) {
                id = Long.parseLong(x);
            } else {
                id = -1;
            }
            if (id < 0 || id > 65535) {
                throw new CsrException("tlsfeature: invalid syntax '" + x + "'");
            }
            out.add(new ASN1Integer(id));
        }
        return new DERSequence(out);
    }
}
