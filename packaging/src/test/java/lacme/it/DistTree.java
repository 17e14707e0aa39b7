package lacme.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the end-to-end tests find the assembled distribution. The launchers run as
 * _lacme-client, _lacme-www and nobody, so every directory above them must be searchable by
 * others; a checkout under a private directory (say /root) is not. Then the tree is copied
 * once per test JVM to a world-readable temporary directory, removed at exit.
 */
public final class DistTree {
    private static Path root;

    private DistTree() {
    }

    /** The distribution root, reachable by unprivileged users. */
    public static synchronized Path root() {
        if (root == null) {
            String d = System.getProperty("lacme.dist");
            if (d == null) {
                throw new IllegalStateException("lacme.dist is not set (run through mvn verify)");
            }
            Path built = Path.of(d).toAbsolutePath();
            root = searchableByOthers(built) ? built : copy(built);
        }
        return root;
    }

    private static boolean searchableByOthers(Path p) {
        try {
            for (Path q = p; q != null; q = q.getParent()) {
                if (((Integer) Files.getAttribute(q, "unix:mode") & 0001) == 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path copy(Path from) {
        try {
            Path to = Files.createTempDirectory(Path.of("/tmp"), "lacme-dist.");
            Files.setAttribute(to, "unix:mode", 0755);
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path t = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.setAttribute(t, "unix:mode", Files.isDirectory(p) || Files.isExecutable(p) ? 0755 : 0644);
                }
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(to)));
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the distribution to a world-readable place", e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at JVM exit
        }
    }
}
