package lacme.accountd;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * lacme-accountd (ours or Perl's) as a real child process: stdin/stdout are pipes the test
 * speaks protocol 1 on, stderr goes to a file read after the fact. Always killed at close.
 */
final class Child implements AutoCloseable {
    final Process process;
    final InputStream in;
    final OutputStream out;
    final Path stderr;

    private Child(Process process, Path stderr) {
        this.process = process;
        this.in = new BufferedInputStream(process.getInputStream());
        this.out = process.getOutputStream();
        this.stderr = stderr;
    }

    /** Our lacme-accountd: {@code java -cp <test class path> lacme.accountd.AccountdMain args}. */
    static Child ours(String... args) throws IOException {
        return start(javaCommand(args));
    }

    /** Ours with extra JVM flags (e.g. the launcher's). */
    static Child ours(List<String> jvmFlags, String... args) throws IOException {
        List<String> cmd = javaCommand(args);
        cmd.addAll(1, jvmFlags);
        return start(cmd);
    }

    /** Any command (Perl's lacme-accountd, setsid ...). */
    static Child start(List<String> cmd) throws IOException {
        Path err = Files.createTempFile("accountd-stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        return new Child(pb.start(), err);
    }

    /** The java command line prefix for wrapping (e.g. under setsid). */
    static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AccountdMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Waits for the exit status (fails after 30 s). */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("lacme-accountd did not exit; stderr: " + stderrText());
        }
        return process.exitValue();
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    /**
     * Sends a signal, e.g. "INT", with the shell's builtin kill: Java can only send TERM and
     * KILL, and kill(1) (procps) is not on a minimal Debian.
     */
    void signal(String name) throws Exception {
        Process k = new ProcessBuilder("/bin/sh", "-c", "kill -s \"$1\" \"$2\"", "sh", name,
                Long.toString(process.pid()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (k.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        new File(stderr.toString()).delete();
    }
}
