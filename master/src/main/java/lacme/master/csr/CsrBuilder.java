package lacme.master.csr;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the PKCS#10 request lacme builds with {@code openssl req}: the configured subject,
 * basicConstraints critical CA:FALSE, subjectKeyIdentifier, and the optional keyUsage
 * (critical), subjectAltName and tlsfeature, signed with the service key and {@code hash}.
 */
public final class CsrBuilder {
    private static final Map<String, Integer> KEY_USAGE = Map.of(
            "digitalSignature", KeyUsage.digitalSignature, "nonRepudiation", KeyUsage.nonRepudiation,
            "keyEncipherment", KeyUsage.keyEncipherment, "dataEncipherment", KeyUsage.dataEncipherment,
            "keyAgreement", KeyUsage.keyAgreement, "keyCertSign", KeyUsage.keyCertSign,
            "cRLSign", KeyUsage.cRLSign, "encipherOnly", KeyUsage.encipherOnly,
            "decipherOnly", KeyUsage.decipherOnly);
    private static final List<String> HASHES = List.of("sha224", "sha256", "sha384", "sha512");
    private static final ASN1ObjectIdentifier TLS_FEATURE = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.24");

    private CsrBuilder() {
    }

    /** Builds the DER-encoded CSR; {@link IllegalArgumentException} messages name the bad setting. */
    public static byte[] build(KeyPair kp, String subject, String subjectAltName, String keyUsage,
                               String tlsfeature, String hash) throws IOException {
        X500Name name = parseSubject(subject);
        JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(name, kp.getPublic());
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
        ext.addExtension(Extension.subjectKeyIdentifier, false,
                new BcX509ExtensionUtils().createSubjectKeyIdentifier(spki));
        if (keyUsage != null) {
            ext.addExtension(Extension.keyUsage, true, parseKeyUsage(keyUsage));
        }
        if (subjectAltName != null) {
            ext.addExtension(Extension.subjectAlternativeName, false, SubjectAltNames.parse(subjectAltName).toGeneralNames());
        }
        if (tlsfeature != null) {
            ext.addExtension(TLS_FEATURE, false, parseTlsFeature(tlsfeature));
        }
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
        String h = hash == null ? "sha256" : hash.toLowerCase(Locale.ROOT);
        if (!HASHES.contains(h)) {
            throw new IllegalArgumentException("unsupported hash '" + hash + "' (sha224, sha256, sha384, sha512)");
        }
        String alg = h.toUpperCase(Locale.ROOT) + "with" + (kp.getPrivate().getAlgorithm().equals("RSA") ? "RSA" : "ECDSA");
        try {
            ContentSigner signer = new JcaContentSignerBuilder(alg).build(kp.getPrivate());
            PKCS10CertificationRequest csr = b.build(signer);
            return csr.getEncoded();
        } catch (OperatorCreationException e) {
            throw new IOException("cannot sign the CSR: " + e.getMessage(), e);
        }
    }

    /** Parses {@code /type=value/type=value}; a backslash escapes the next character. */
    static X500Name parseSubject(String subject) {
        if (subject == null || !subject.startsWith("/")) {
            throw new IllegalArgumentException("subject '" + subject + "' must have the form /type=value/...");
        }
        X500NameBuilder nb = new X500NameBuilder(BCStyle.INSTANCE);
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 1; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (c == '\\' && i + 1 < subject.length()) {
                cur.append(subject.charAt(++i));
            } else if (c == '/') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        for (String p : parts) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("subject '" + subject + "': '" + p + "' is not type=value");
            }
            ASN1ObjectIdentifier oid;
            try {
                oid = BCStyle.INSTANCE.attrNameToOID(p.substring(0, eq).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("subject '" + subject + "': unknown attribute type '"
                        + p.substring(0, eq) + "'");
            }
            nb.addRDN(oid, p.substring(eq + 1));
        }
        return nb.build();
    }

    static KeyUsage parseKeyUsage(String s) {
        int bits = 0;
        for (String u : s.split(",")) {
            String t = u.trim();
            if (t.isEmpty() || t.equals("critical")) {
                continue;
            }
            Integer bit = KEY_USAGE.get(t);
            if (bit == null) {
                throw new IllegalArgumentException("keyUsage: unknown usage '" + t + "'");
            }
            bits |= bit;
        }
        return new KeyUsage(bits);
    }

    static DERSequence parseTlsFeature(String s) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        for (String f : s.split(",")) {
            String t = f.trim();
            if (t.equals("status_request")) {
                v.add(new ASN1Integer(5));
            } else if (t.equals("status_request_v2")) {
                v.add(new ASN1Integer(17));
            } else if (!t.isEmpty()) {
                throw new IllegalArgumentException("tlsfeature: unknown feature '" + t + "'");
            }
        }
        return new DERSequence(v);
    }
}
