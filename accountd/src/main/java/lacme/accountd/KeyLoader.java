package lacme.accountd;

import lacme.common.io.Errno;
import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@code privkey} setting into an {@link AccountKey}: {@code file:FILE} reads a PEM
 * file, {@code gpg:FILE} runs the configured gpg command to decrypt one (as lacme does).
 * PEM forms: PKCS#1, SEC1, PKCS#8, and their encrypted variants (legacy OpenSSL
 * {@code Proc-Type} and PKCS#8 {@code ENCRYPTED PRIVATE KEY}), whose passphrase comes from a
 * {@link Passphrase} source. Raw key bytes are wiped after parsing (best effort: the JVM
 * may still hold copies).
 */
public final class KeyLoader {
    private static final Pattern SPEC = Pattern.compile("(file|gpg):(\\p{Print}+)");
    /** A PEM account key is a few KiB; refuse to slurp anything absurd. */
    private static final int MAX_KEY_FILE = 1 << 20;

    /** Where an encrypted key's passphrase comes from. */
    @FunctionalInterface
    public interface Passphrase {
        /** Returns the passphrase for {@code name}; the caller wipes the array. */
        char[] ask(String name) throws AccountdException;
    }

    private KeyLoader() {
    }

    /**
     * Loads the key named by {@code privkey} ({@code file:FILE} or {@code gpg:FILE}, FILE
     * %-expanded). {@code gpgCommand} is split on white space; {@code stdio} keeps gpg's
     * stdin away from the protocol stream.
     */
    public static AccountKey load(String privkey, String gpgCommand, Specifiers spec, boolean stdio,
            Passphrase passphrase) throws AccountdException {
        Matcher m = SPEC.matcher(privkey);
        if (!m.matches()) {
            throw new AccountdException("Unsupported method: " + privkey);
        }
        String file;
        try {
            file = spec.expand(m.group(2));
        } catch (ConfigException e) {
            throw new AccountdException(e.getMessage(), e);
        }
        byte[] pem = "file".equals(m.group(1)) ? readFile(Path.of(file)) : runGpg(gpgCommand, file, stdio);
        try {
            return AccountKey.of(parse(pem, file, passphrase), file);
        } finally {
            Arrays.fill(pem, (byte) 0);
        }
    }

    private static byte[] readFile(Path file) throws AccountdException {
        try {
            if (Files.size(file) > MAX_KEY_FILE) {
                throw new AccountdException(file + ": too large for a private key");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AccountdException("Can't open " + file + ": " + Errno.reason(e), e);
        }
    }

    /** Runs {@code gpg -o - --decrypt -- FILE} with the configured command and options. */
    static byte[] runGpg(String gpgCommand, String file, boolean stdio) throws AccountdException {
        List<String> cmd = new ArrayList<>();
        for (String w : gpgCommand.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                cmd.add(w);
            }
        }
        if (cmd.isEmpty()) {
            throw new AccountdException("Empty gpg command");
        }
        cmd.addAll(List.of("-o", "-", "--decrypt", "--", file));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        // In --stdio mode stdin is the protocol stream: gpg must not read from it.
        pb.redirectInput(stdio ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AccountdException("Can't run " + cmd.get(0) + ": " + Errno.reason(e), e);
        }
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readNBytes(MAX_KEY_FILE + 1);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            int rc = p.waitFor();
            if (rc != 0) {
                Arrays.fill(out, (byte) 0);
                throw new AccountdException(cmd.get(0) + " exited with value " + rc);
            }
        } catch (IOException e) {
            throw new AccountdException("Can't read from " + cmd.get(0) + ": " + Errno.reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new AccountdException("Interrupted while running " + cmd.get(0), e);
        }
        if (out.length > MAX_KEY_FILE) {
            Arrays.fill(out, (byte) 0);
            throw new AccountdException(file + ": too large for a private key");
        }
        return out;
    }

    /** Parses the first private key of a PEM document, decrypting it when needed. */
    static PrivateKeyInfo parse(byte[] pem, String name, Passphrase passphrase) throws AccountdException {
        try (PEMParser parser = new PEMParser(new InputStreamReader(new ByteArrayInputStream(pem),
                StandardCharsets.US_ASCII))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof ASN1ObjectIdentifier || o instanceof X9ECParameters) {
                    continue; // an "EC PARAMETERS" block before the key (openssl ecparam -genkey)
                }
                return toPrivateKeyInfo(o, name, passphrase);
            }
            throw new AccountdException(name + ": Not a private key (no PEM private key found)");
        } catch (IOException e) {
            throw new AccountdException(name + ": Not a private key (" + e.getMessage() + ")", e);
        }
    }

    private static PrivateKeyInfo toPrivateKeyInfo(Object o, String name, Passphrase passphrase)
            throws AccountdException, IOException {
        if (o instanceof PrivateKeyInfo) {
            return (PrivateKeyInfo) o;
        }
        if (o instanceof PEMKeyPair) {
            return ((PEMKeyPair) o).getPrivateKeyInfo();
        }
        if (o instanceof PEMEncryptedKeyPair) {
            char[] pass = passphrase.ask(name);
            try {
                return ((PEMEncryptedKeyPair) o).decryptKeyPair(
                        new JcePEMDecryptorProviderBuilder().setProvider(bc()).build(pass)).getPrivateKeyInfo();
            } catch (PEMException e) {
                throw new AccountdException(name + ": Can't decrypt the key (bad passphrase?)", e);
            } finally {
                Arrays.fill(pass, '\0');
            }
        }
        if (o instanceof PKCS8EncryptedPrivateKeyInfo) {
            char[] pass = passphrase.ask(name);
            try {
                return ((PKCS8EncryptedPrivateKeyInfo) o).decryptPrivateKeyInfo(
                        new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc()).build(pass));
            } catch (PKCSException | OperatorCreationException e) {
                throw new AccountdException(name + ": Can't decrypt the key (bad passphrase?)", e);
            } finally {
                Arrays.fill(pass, '\0');
            }
        }
        throw new AccountdException(name + ": Not a private key (found " + describe(o) + ")");
    }

    private static String describe(Object o) {
        String n = o.getClass().getSimpleName();
        if (n.contains("SubjectPublicKeyInfo")) {
            return "a public key";
        }
        if (n.contains("Certificate")) {
            return "a certificate";
        }
        return n;
    }

    /** BouncyCastle's provider, only for decrypting: its PBE coverage is wider than the JDK's. */
    private static BouncyCastleProvider bc() {
        return new BouncyCastleProvider();
    }
}
