package lacme.client.acme;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The http-01 and tls-alpn-01 key authorization files of one order, in the challenge directory (the
 * client's cwd, served by the webserver). Tokens come from the network, so they are checked
 * before any file is touched; files are created exclusively, world-readable (the webserver
 * runs as another user), and only the files this order created are removed.
 */
public final class ChallengeFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");
    private final Path dir;
    private final List<Path> created = new ArrayList<>();

    public ChallengeFiles(Path dir) {
        this.dir = dir;
    }

    /** Writes {@code keyAuthorization} to the file named {@code token} (http-01). */
    public void write(String token, String keyAuthorization) throws AcmeException {
        if (!Challenge.validToken(token)) {
            throw new AcmeException("invalid challenge token '" + Problem.clean(String.valueOf(token)) + "'");
        }
        writeFile(token, keyAuthorization);
    }

    /**
     * tls-alpn-01: writes {@code keyAuthorization} to {@code alpn.NAME}, the file the
     * webserver looks up by the SNI name the CA sends (lacme.webserver.AlpnCertificates):
     * NAME is the lower-case DNS name, or for an IP identifier its reverse-mapping name
     * (RFC 8738 §6). The identifier comes from the CA's authorization, so it is checked.
     */
    public void writeAlpn(AcmeClient.Identifier id, String keyAuthorization) throws AcmeException {
        writeFile(ALPN_PREFIX + alpnName(id), keyAuthorization);
    }

    /** The file name prefix of tls-alpn-01 files (never a token: tokens have no dot). */
    public static final String ALPN_PREFIX = "alpn.";
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]{7,15}|[0-9a-fA-F:.]{2,45}");

    /** The SNI name of {@code id} as the webserver receives it, or an error naming the identifier. */
    static String alpnName(AcmeClient.Identifier id) throws AcmeException {
        String v = id.value() == null ? "" : id.value().toLowerCase(Locale.ROOT);
        if ("dns".equals(id.type()) && DNS_NAME.matcher(v).matches()) {
            return v;
        }
        if ("ip".equals(id.type()) && IP_LITERAL.matcher(v).matches() && (v.contains(":") || v.contains("."))) {
            try {
                byte[] a = InetAddress.getByName(v.contains(":") ? "[" + v + "]" : v).getAddress(); // a literal: no DNS
                StringBuilder sb = new StringBuilder();
                if (a.length == 4) {
                    for (int i = 3; i >= 0; i--) {
                        sb.append(a[i] & 0xff).append('.');
                    }
                    return sb.append("in-addr.arpa").toString();
                }
                for (int i = 15; i >= 0; i--) {
                    sb.append(Character.forDigit(a[i] & 0xf, 16)).append('.')
                            .append(Character.forDigit((a[i] >> 4) & 0xf, 16)).append('.');
                }
                return sb.append("ip6.arpa").toString();
            } catch (java.net.UnknownHostException e) {
                // falls through to the error
            }
        }
        throw new AcmeException("no tls-alpn-01 name for identifier " + id);
    }

    private void writeFile(String name, String keyAuthorization) throws AcmeException {
        Path p = dir.resolve(name);
        byte[] content = keyAuthorization.getBytes(StandardCharsets.US_ASCII);
        try (SeekableByteChannel c = Files.newByteChannel(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            synchronized (created) {
                created.add(p);
            }
            c.write(ByteBuffer.wrap(content));
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (FileAlreadyExistsException e) {
            // Another order of this run may answer the same (reused) authorization.
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                if (!Arrays.equals(in.readNBytes(content.length + 1), content)) {
                    throw new AcmeException("challenge file " + p + " already exists with other content");
                }
                LOG.warn("challenge file {} exists already (with the right content)", p);
            } catch (IOException io) {
                throw new AcmeException("challenge file " + p + " exists and cannot be read: " + io.getMessage());
            }
        } catch (IOException e) {
            throw new AcmeException("cannot write challenge file " + p + ": " + e.getMessage(), e);
        }
    }

    /** The files created so far. */
    public List<Path> created() {
        synchronized (created) {
            return List.copyOf(created);
        }
    }

    /** Removes the files this instance created (failures are logged, not thrown). */
    @Override
    public void close() {
        synchronized (created) {
            for (Path p : created) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("cannot remove challenge file {}: {}", p, e.getMessage());
                }
            }
            created.clear();
        }
    }
}
