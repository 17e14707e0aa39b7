package lacme.master.install;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Keys and certificate chains for tests, built with BouncyCastle (no network, no openssl). */
public final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime() & 0xffffffffL);
    private static final Map<String, KeyPair> CACHE = new LinkedHashMap<>();

    private TestCerts() {
    }

    /** A cached RSA-2048 or EC key ("rsa", "rsa2", "ec", "ec2", "p384"). */
    public static synchronized KeyPair key(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try {
                KeyPairGenerator g;
                if (n.startsWith("rsa")) {
                    g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(2048);
                } else {
                    g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec(n.equals("p384") ? "secp384r1" : "secp256r1"));
                }
                return g.generateKeyPair();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY", with curve and public key) PEM. */
    public static String traditionalPem(KeyPair kp) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            if (kp.getPrivate() instanceof ECPrivateKey k) {
                PrivateKeyInfo pki = PrivateKeyInfo.getInstance(k.getEncoded());
                SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
                byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(k.getParams().getOrder().bitLength(),
                        k.getS(), spki.getPublicKeyData(), pki.getPrivateKeyAlgorithm().getParameters()).getEncoded();
                p.writeObject(new PemObject("EC PRIVATE KEY", der));
            } else {
                p.writeObject(kp);
            }
        }
        return w.toString();
    }

    /** PKCS#8 ("PRIVATE KEY") PEM. */
    public static String pkcs8Pem(KeyPair kp) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(new JcaPKCS8Generator(kp.getPrivate(), null));
        }
        return w.toString();
    }

    /** A certificate under construction; defaults make a valid TLS server leaf. */
    public static final class Spec {
        String subject = "CN=leaf.example";
        KeyPair key = TestCerts.key("ec");
        X509Certificate issuer;
        KeyPair issuerKey;
        Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        Instant notAfter = Instant.now().plus(Duration.ofDays(90));
        boolean ca;
        boolean bcCritical = true;
        Integer keyUsage = KeyUsage.digitalSignature;
        List<KeyPurposeId> eku = new ArrayList<>(List.of(KeyPurposeId.id_kp_serverAuth));
        List<GeneralName> sans = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, "leaf.example")));
        boolean ski = true;
        BigInteger serial;
        boolean aki = true;

        public Spec subject(String s) { subject = s; return this; }
        public Spec key(KeyPair k) { key = k; return this; }
        public Spec issuer(X509Certificate c, KeyPair k) { issuer = c; issuerKey = k; return this; }
        public Spec validity(Instant from, Instant to) { notBefore = from; notAfter = to; return this; }
        public Spec ca() {
            ca = true;
            keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature;
            eku.clear();
            sans.clear();
            return this;
        }
        public Spec bcCritical(boolean b) { bcCritical = b; return this; }
        public Spec keyUsage(Integer ku) { keyUsage = ku; return this; }
        public Spec eku(KeyPurposeId... k) { eku = new ArrayList<>(List.of(k)); return this; }
        public Spec dns(String... names) {
            sans.clear();
            for (String n : names) {
                sans.add(new GeneralName(GeneralName.dNSName, n));
            }
            return this;
        }
        public Spec ip(String ip) { sans.add(new GeneralName(GeneralName.iPAddress, ip)); return this; }
        public Spec serial(BigInteger s) { serial = s; return this; }
        public Spec noAki() { aki = false; return this; }
        public Spec noSki() { ski = false; return this; }

        /** Signs it (self-signed without an issuer). */
        public X509Certificate build() {
            try {
                X500Name subj = new X500Name(subject);
                X500Name iss = issuer == null ? subj : new X500Name(issuer.getSubjectX500Principal().getName());
                KeyPair signer = issuer == null ? key : issuerKey;
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(iss,
                        serial != null ? serial : BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                        subj, key.getPublic());
                JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
                b.addExtension(Extension.basicConstraints, bcCritical, new BasicConstraints(ca));
                if (keyUsage != null) {
                    b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
                }
                if (!eku.isEmpty()) {
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku.toArray(new KeyPurposeId[0])));
                }
                if (!sans.isEmpty()) {
                    b.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(new GeneralName[0])));
                }
                if (ski) {
                    b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(key.getPublic()));
                }
                if (aki) {
                    b.addExtension(Extension.authorityKeyIdentifier, false,
                            u.createAuthorityKeyIdentifier(signer.getPublic()));
                }
                String alg = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
                return new JcaX509CertificateConverter().getCertificate(
                        b.build(new JcaContentSignerBuilder(alg).build(signer.getPrivate())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static Spec spec() {
        return new Spec();
    }

    /** A root, an intermediate and a leaf for {@code names}, each with its own key. */
    public static List<X509Certificate> chain(KeyPair leafKey, String... names) {
        X509Certificate root = spec().subject("CN=Test Root").key(key("rsa2")).ca().build();
        X509Certificate inter = spec().subject("CN=Test Intermediate").key(key("p384")).ca()
                .issuer(root, key("rsa2")).build();
        X509Certificate leaf = spec().subject("CN=" + names[0]).key(leafKey).dns(names)
                .issuer(inter, key("p384")).build();
        return List.of(leaf, inter, root);
    }

    /** PEM of certificates. */
    public static String pem(List<X509Certificate> certs) {
        StringBuilder b = new StringBuilder();
        certs.forEach(c -> b.append(Pem.encode(c)));
        return b.toString();
    }
}
