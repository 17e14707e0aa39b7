package lacme.webserver;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lacme.common.os.Fds;

/**
 * The webserver as a separate JVM, started the way lacme's master starts it: a listening
 * socket bound here becomes the child's fd 0 (junixsocket redirect), the cwd is the
 * challenge directory. {@link #close()} stops it and every process it started.
 */
final class ServerProcess implements AutoCloseable {
    final Process process;
    final Path stderr;

    private ServerProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    /** {@code java -cp <this JVM's class path> lacme.webserver.WebserverMain}. */
    static List<String> java(String... jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WebserverMain.class.getName());
        return cmd;
    }

    /** Starts {@code command} in {@code cwd} with {@code listener} (may be null) as fd 0. */
    static ServerProcess start(List<String> command, ServerSocketChannel listener, Path cwd,
            Map<String, String> env) throws IOException {
        Path err = Files.createTempFile("lacme-webserver", ".stderr");
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        if (listener != null) {
            pb.redirectInput(Fds.redirect(Fds.of(listener)));
        }
        pb.environment().putAll(env);
        return new ServerProcess(pb.start(), err);
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** SIGTERM, and whether it (and its descendants) exited within the time. */
    boolean terminate(long seconds) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroy();
        boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
        for (ProcessHandle h : all) {
            exited &= h.onExit().completeOnTimeout(null, seconds, TimeUnit.SECONDS).join() != null
                    || !h.isAlive();
        }
        return exited;
    }

    @Override
    public void close() throws IOException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        Files.deleteIfExists(stderr);
    }
}
