package lacme.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a {@link Pebble} fixture for the demo script (scripts/demo.sh): starts it, writes
 * {@code pebble.env} (shell variable assignments: directory URL, TLS CA file, http-01 port,
 * issuing roots file) into the directory given as argument, and serves until SIGTERM, when
 * the shutdown hook stops Pebble and pebble-challtestsrv.
 */
public final class PebbleMain {
    private PebbleMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: PebbleMain DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Pebble pebble = Pebble.start();
        Runtime.getRuntime().addShutdownHook(new Thread(pebble::close, "pebble-stop"));
        Path roots = dir.resolve("pebble-roots.pem");
        Files.writeString(roots, pebble.issuingRootsPem(), StandardCharsets.US_ASCII);
        String env = "PEBBLE_DIRECTORY='" + pebble.directoryUrl() + "'\n"
                + "PEBBLE_CA='" + pebble.caPemPath() + "'\n"
                + "PEBBLE_HTTP_PORT='" + pebble.httpPort() + "'\n"
                + "PEBBLE_ROOTS='" + roots + "'\n"
                + "PEBBLE_VERSION='" + pebble.version() + "'\n";
        Path tmp = dir.resolve("pebble.env.tmp");
        Files.writeString(tmp, env, StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve("pebble.env"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join(); // until SIGTERM
    }
}
