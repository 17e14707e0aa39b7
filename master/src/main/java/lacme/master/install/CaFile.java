package lacme.master.install;

import lacme.common.io.Errno;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A section's {@code CAfile}, read and checked before anything is ordered (issue 15): a
 * missing, unreadable or garbage file, or one without a root to trust, would otherwise be
 * found only after the CA issued, the certificate then thrown away and the failure blamed
 * on the server. The same reading serves the verification at install time.
 */
public final class CaFile {
    private CaFile() {
    }

    /**
     * The certificates of {@code file}, holding at least one self-signed certificate (what
     * {@link ChainVerifier} trusts).
     *
     * @throws IOException with a one-line message naming the file and the reason
     */
    public static List<X509Certificate> read(Path file) throws IOException {
        List<X509Certificate> certs;
        try {
            certs = Pem.read(file);
        } catch (IOException e) {
            throw new IOException(file + ": " + Errno.reason(e), e);
        } catch (CertificateException e) {
            throw new IOException(file + ": not a PEM certificate file (" + e.getMessage() + ")", e);
        }
        if (certs.isEmpty()) {
            throw new IOException(file + ": holds no PEM certificate");
        }
        if (certs.stream().noneMatch(ChainVerifier::selfSigned)) {
            throw new IOException(file + ": holds no self-signed (root) certificate to trust");
        }
        return certs;
    }
}
