package lacme.master.csr;

import lacme.master.install.Installer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keys from thin air (issue 14): a section whose {@code certificate-key} does not exist and
 * which sets {@code certificate-key-type} gets its key generated here, by the master (the
 * only process that may hold service keys), and written the way certificates are installed
 * ({@link Installer}: a private sealed directory, O_EXCL, fsync, rename; never through a
 * link), mode 0600, owned by root. An existing file (or a link, even a dangling one) is never
 * replaced: it is read as always, and the type setting does not apply to it.
 */
public final class GeneratedKey {
    /** The values {@code certificate-key-type} accepts. */
    public static final List<String> TYPES = List.of("rsa:2048", "rsa:3072", "rsa:4096", "ec:p256", "ec:p384");

    private GeneratedKey() {
    }

    /**
     * The key pair in {@code file}; generated first when the file does not exist and
     * {@code type} is set (not null or empty). {@code info} hears of a generation.
     */
    public static KeyPair readOrCreate(Path file, String type, Consumer<String> info) throws IOException {
        if (type != null && !type.isEmpty()) {
            if (!TYPES.contains(type)) {
                throw new IOException("certificate-key-type: invalid value '" + type + "' (expected one of "
                        + String.join(", ", TYPES) + ")");
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                KeyPair kp = generate(type);
                Installer.install(file, pem(kp), "0600", "");
                info.accept("Generated a " + type + " key in " + file);
                return ServiceKey.read(file); // what the next run will read, and the CSR must match
            }
        }
        return ServiceKey.read(file);
    }

    /** A fresh key pair of {@code type} (one of {@link #TYPES}). */
    static KeyPair generate(String type) throws IOException {
        try {
            String[] t = type.split(":");
            if (t[0].equals("rsa")) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(new RSAKeyGenParameterSpec(Integer.parseInt(t[1]), RSAKeyGenParameterSpec.F4));
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(t[1].equals("p256") ? "secp256r1" : "secp384r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate a " + type + " key: " + e.getMessage(), e);
        }
    }

    /** PKCS#8 PEM, as {@code openssl genpkey} writes it. */
    static String pem(KeyPair kp) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(kp.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
