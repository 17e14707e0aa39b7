package lacme.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The assembled distribution tree and a way to run its launchers as a user would. */
public final class Dist {
    /** Result of one command. */
    public record Run(long pid, int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "pid " + pid + ", exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    public static Path root() {
        return DistTree.root();
    }

    public static Path lacme() {
        return root().resolve("sbin/lacme");
    }

    public static Path accountd() {
        return root().resolve("bin/lacme-accountd");
    }

    public static Path client() {
        return root().resolve("libexec/lacme/client");
    }

    public static Path webserver() {
        return root().resolve("libexec/lacme/webserver");
    }

    /** Runs a command to completion (bounded), capturing stdout and stderr. */
    public static Run run(Path workDir, List<String> argv, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lacme-it", ".out");
        Path err = Files.createTempFile("lacme-it", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + argv + "\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Run(p.pid(), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Registers the account of the configuration {@code conf} (ToS agreed); fails the test otherwise. */
    public static void register(Path dir, Path conf) throws IOException, InterruptedException {
        Run r = run(dir, List.of(lacme().toString(), "--config=" + conf, "account", "--register", "--tos-agreed"), 120);
        if (r.exit() != 0) {
            throw new AssertionError("lacme account --register failed: " + r);
        }
    }

    /** Runs {@code openssl} (as a user generating keys would); fails the test on error. */
    public static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add("openssl");
        argv.addAll(List.of(args));
        Run r = run(dir, argv, 60);
        if (r.exit() != 0) {
            throw new AssertionError("openssl failed: " + r);
        }
    }

    /** True when this process is root (privilege drop possible). */
    public static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private Dist() {
    }
}
