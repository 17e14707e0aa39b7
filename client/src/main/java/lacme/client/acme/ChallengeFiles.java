package lacme.client.acme;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
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

/**
 * The http-01 key authorization files of one order, in the challenge directory (the
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

    /** Writes {@code keyAuthorization} to the file named {@code token}. */
    public void write(String token, String keyAuthorization) throws AcmeException {
        if (!Challenge.validToken(token)) {
            throw new AcmeException("invalid challenge token '" + Problem.clean(String.valueOf(token)) + "'");
        }
        Path p = dir.resolve(token);
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
