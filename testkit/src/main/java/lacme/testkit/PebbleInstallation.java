package lacme.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Pebble + pebble-challtestsrv pair on disk, and what its flags look like. Two exist
 * in practice: Debian sid's 2.10.x fetched into {@code build/pebble} by
 * {@code scripts/fetch-pebble.sh} (ARI, profiles, Retry-After) and Debian 12's 2.4.0 in
 * {@code /usr/bin}. Their challtestsrv flags differ ({@code -dns01} became
 * {@code -dnsserver}, {@code -doh} appeared), so flags are read from {@code -h}, not assumed.
 *
 * <p>System properties: {@code lacme.pebble} = {@code auto} (default: fetched, else
 * system), {@code fetched} or {@code system}; {@code lacme.pebble.dir} = a directory
 * holding both binaries (overrides the search); {@code lacme.pebble.fetch=false} stops
 * {@link #preferred()} from running the fetch script when {@code build/pebble} is missing.
 */
public record PebbleInstallation(Path pebble, Path challtestsrv, String version, String help) {
    private static final Logger LOG = Logger.getLogger(PebbleInstallation.class.getName());
    private static final Pattern VERSION = Pattern.compile("([0-9]+)\\.([0-9]+)");

    /** The installation to use by default, per the {@code lacme.pebble} property. */
    public static synchronized PebbleInstallation preferred() throws IOException {
        String dir = System.getProperty("lacme.pebble.dir");
        if (dir != null && !dir.isEmpty()) {
            return of(Paths.get(dir), null);
        }
        String which = System.getProperty("lacme.pebble", "auto");
        if (!which.equals("system")) {
            Optional<PebbleInstallation> f = fetched(!"false".equals(System.getProperty("lacme.pebble.fetch")));
            if (f.isPresent()) {
                return f.get();
            }
            if (which.equals("fetched")) {
                throw new IOException("no Pebble in build/pebble; run scripts/fetch-pebble.sh");
            }
        }
        return system().orElseThrow(() -> new IOException(
                "no Pebble found: run scripts/fetch-pebble.sh, or apt-get install pebble"));
    }

    /** Every installation present (fetched first), without fetching anything. */
    public static List<PebbleInstallation> available() throws IOException {
        List<PebbleInstallation> out = new ArrayList<>();
        fetched(false).ifPresent(out::add);
        system().ifPresent(out::add);
        return out;
    }

    /** Debian 12's package in /usr/bin, when installed. */
    public static Optional<PebbleInstallation> system() throws IOException {
        Path bin = Paths.get("/usr/bin");
        if (!Files.isExecutable(bin.resolve("pebble")) || !Files.isExecutable(bin.resolve("pebble-challtestsrv"))) {
            return Optional.empty();
        }
        String v = run(List.of("dpkg-query", "-W", "-f=${Version}", "pebble")).trim();
        return Optional.of(of(bin, v.isEmpty() ? null : v));
    }

    /**
     * The copy in {@code <repo>/build/pebble}; with {@code fetch}, runs
     * {@code scripts/fetch-pebble.sh} first when it is missing (a failure only logs).
     */
    public static Optional<PebbleInstallation> fetched(boolean fetch) throws IOException {
        Path root = repoRoot();
        if (root == null) {
            return Optional.empty();
        }
        Path dest = root.resolve("build/pebble");
        Path bin = dest.resolve("usr/bin");
        if (!Files.isExecutable(bin.resolve("pebble")) && fetch) {
            try {
                Process p = new ProcessBuilder(root.resolve("scripts/fetch-pebble.sh").toString())
                        .redirectErrorStream(true).start();
                String out = drain(p.getInputStream());
                if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    LOG.warning("scripts/fetch-pebble.sh failed, falling back:\n" + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching Pebble", e);
            }
        }
        if (!Files.isExecutable(bin.resolve("pebble")) || !Files.isExecutable(bin.resolve("pebble-challtestsrv"))) {
            return Optional.empty();
        }
        Path vf = dest.resolve("VERSION");
        return Optional.of(of(bin, Files.exists(vf) ? Files.readString(vf).trim() : null));
    }

    /** An installation in {@code bin}; {@code version} null means "ask the binary". */
    public static PebbleInstallation of(Path bin, String version) throws IOException {
        Path pebble = bin.resolve("pebble");
        Path cts = bin.resolve("pebble-challtestsrv");
        if (version == null) {
            String v = run(List.of(pebble.toString(), "-version"));
            Matcher m = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+").matcher(v);
            version = m.find() ? m.group() : "unknown";
        }
        return new PebbleInstallation(pebble, cts, version, run(List.of(cts.toString(), "-h")));
    }

    /** True when the version is at least {@code major.minor} (false when unknown). */
    public boolean atLeast(int major, int minor) {
        Matcher m = VERSION.matcher(version);
        if (!m.find()) {
            return false;
        }
        int ma = Integer.parseInt(m.group(1));
        int mi = Integer.parseInt(m.group(2));
        return ma > major || (ma == major && mi >= minor);
    }

    /** True when pebble-challtestsrv knows flag {@code -name}. */
    public boolean challtestsrvHasFlag(String name) {
        return Pattern.compile("(?m)^\\s+-" + Pattern.quote(name) + "\\b").matcher(help).find();
    }

    /** The challtestsrv flag that sets the DNS listener ({@code -dnsserver}, 2.4's {@code -dns01}). */
    public String dnsFlag() {
        return challtestsrvHasFlag("dnsserver") ? "-dnsserver" : "-dns01";
    }

    @Override
    public String toString() {
        return "Pebble " + version + " (" + pebble + ")";
    }

    /** The repository checkout the tests run in: the nearest ancestor with scripts/fetch-pebble.sh. */
    static Path repoRoot() {
        Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("scripts/fetch-pebble.sh"))) {
                return p;
            }
        }
        return null;
    }

    private static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = drain(p.getInputStream());
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroyForcibly();
        return out;
    }

    private static String drain(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8);
    }
}
