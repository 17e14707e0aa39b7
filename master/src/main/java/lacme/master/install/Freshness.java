package lacme.master.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Refuses a certificate the (untrusted) client or CA hands back that is not a fresh issuance
 * for this order — an old certificate replayed, perhaps one since revoked (issue 10, finding 6):
 * <ul>
 * <li>its notBefore must not be earlier than the order's start minus {@link #BACKDATING}
 *     (CAs backdate notBefore for clients with slow clocks: Let's Encrypt by one hour; a CA
 *     whose clock is behind ours by more than that is refused too);</li>
 * <li>it must be newer than the certificate installed now: not the same certificate, and a
 *     notBefore not earlier than the installed one's (the same second is allowed: two
 *     issuances in one second are legitimate, a replay is not newer).</li>
 * </ul>
 * An installed file that is missing or unreadable is no reference (there is nothing to keep).
 */
public final class Freshness {
    /** The backdating allowed on notBefore: Let's Encrypt's one hour. */
    public static final Duration BACKDATING = Duration.ofHours(1);

    private Freshness() {
    }

    /**
     * @param conf         the section's settings ({@code certificate}, {@code certificate-chain})
     * @param orderStarted when the order began (an earlier instant only widens the allowance)
     */
    public static void check(X509Certificate leaf, Map<String, String> conf, Instant orderStarted)
            throws CertificateException {
        Instant nb = leaf.getNotBefore().toInstant();
        if (nb.isBefore(orderStarted.minus(BACKDATING))) {
            throw new CertificateException("stale certificate: notBefore " + nb + " is more than "
                    + BACKDATING.toHours() + " h before the order started (" + orderStarted + ")");
        }
        for (String key : List.of("certificate", "certificate-chain")) {
            String file = conf.get(key);
            X509Certificate old = file == null || file.isEmpty() ? null : installed(Path.of(file));
            if (old == null) {
                continue;
            }
            if (same(old, leaf)) {
                throw new CertificateException("stale certificate: it is the one installed in " + file);
            }
            if (nb.isBefore(old.getNotBefore().toInstant())) {
                throw new CertificateException("stale certificate: notBefore " + nb + " is earlier than that of the"
                        + " one installed in " + file + " (" + old.getNotBefore().toInstant() + ")");
            }
        }
    }

    private static X509Certificate installed(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return null; // missing, or a FIFO or device that would block the read
            }
            List<X509Certificate> certs = Pem.read(file);
            return certs.isEmpty() ? null : certs.get(0);
        } catch (IOException | CertificateException e) {
            return null;
        }
    }

    private static boolean same(X509Certificate a, X509Certificate b) throws CertificateEncodingException {
        return Arrays.equals(a.getEncoded(), b.getEncoded());
    }
}
