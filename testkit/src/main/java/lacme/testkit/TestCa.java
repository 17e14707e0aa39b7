package lacme.testkit;

import org.bouncycastle.asn1.x500.X500Name;
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
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority for test TLS listeners (Pebble's HTTPS port, a test
 * webserver). Exists so that tests make clients trust a server through configuration — a
 * CA file — exactly as production does, instead of switching verification off.
 * Keys are EC P-256: fast to generate and accepted by Go's and Java's TLS stacks.
 */
public final class TestCa {
    private final KeyPair caKey;
    private final X509Certificate caCert;

    private TestCa(KeyPair caKey, X509Certificate caCert) {
        this.caKey = caKey;
        this.caCert = caCert;
    }

    /** A fresh CA valid for one day, named {@code cn}. */
    public static TestCa create(String cn) throws GeneralSecurityException {
        KeyPair key = ecKey();
        X500Name name = new X500Name("CN=" + cn);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
                    name, key.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key.getPublic()));
            return new TestCa(key, sign(b, key));
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot create test CA", e);
        }
    }

    /** The CA certificate. */
    public X509Certificate certificate() {
        return caCert;
    }

    /** The CA certificate as PEM text. */
    public String certificatePem() {
        return pem(caCert);
    }

    /** An SSLContext trusting exactly this CA. */
    public SSLContext clientContext() throws GeneralSecurityException {
        return trusting(List.of(caCert));
    }

    /**
     * Issues a TLS server certificate, valid for one day, for the given DNS names and IP
     * addresses (strings such as {@code "localhost"}, {@code "127.0.0.1"}, {@code "::1"}).
     */
    public Issued issueServer(String... names) throws GeneralSecurityException {
        KeyPair key = ecKey();
        Instant now = Instant.now();
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
            boolean ip = n.matches("[0-9.]+") || n.contains(":");
            sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
                    new X500Name("CN=" + names[0]), key.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            return new Issued(key, sign(b, caKey));
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot issue test certificate", e);
        }
    }

    /** A certificate issued by {@link #issueServer} and its key. */
    public record Issued(KeyPair key, X509Certificate certificate) {
        /** The certificate as PEM text. */
        public String certificatePem() {
            return pem(certificate);
        }

        /** The private key as PKCS#8 PEM text ("PRIVATE KEY", which Go and OpenSSL read). */
        public String privateKeyPem() {
            return pem(new PemObject("PRIVATE KEY", key.getPrivate().getEncoded()));
        }
    }

    /** PEM text of a certificate, key or other object BouncyCastle can write. */
    public static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    /** Parses every certificate in a PEM text. */
    public static List<X509Certificate> parseCertificates(String pem) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Collection<? extends java.security.cert.Certificate> all =
                cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        List<X509Certificate> out = new ArrayList<>();
        for (var c : all) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    /** An SSLContext whose trust store holds exactly {@code anchors}. */
    public static SSLContext trusting(List<X509Certificate> anchors) throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (X509Certificate c : anchors) {
            ks.setCertificateEntry("anchor-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).setBit(62);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }
}
