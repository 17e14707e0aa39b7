package lacme.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A master ({@code sbin/lacme}, possibly behind {@code ip netns exec}) running in the
 * background, so a test can watch its children while they work, signal it, and then collect
 * its exit status and output. {@link #pid()} is the process a sysadmin starts and signals:
 * {@code sbin/lacme}, which stays the parent of the master's JVM ({@link #masterPid()}) and
 * forwards signals to it. {@link #close()} kills whatever is left, by pid.
 */
final class MasterRun implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;
    private final List<String> argv;

    private MasterRun(Process process, Path out, Path err, List<String> argv) {
        this.process = process;
        this.out = out;
        this.err = err;
        this.argv = argv;
    }

    static MasterRun start(Path cwd, List<String> argv) throws IOException {
        Path out = Files.createTempFile("lacme-it", ".out");
        Path err = Files.createTempFile("lacme-it", ".err");
        Process p = new ProcessBuilder(new ArrayList<>(argv)).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new MasterRun(p, out, err, argv);
    }

    long pid() {
        return process.pid();
    }

    /** The master's JVM (the launcher's child running MasterMain); waits up to 30 s for it. */
    long masterPid() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<Long> m = running(Procs.MASTER);
            if (!m.isEmpty()) {
                return m.get(0);
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("no master JVM under the launcher " + pid() + ": " + argv);
    }

    /** kill -9 of the master's JVM itself (not its launcher), by pid. */
    void killMaster() throws IOException, InterruptedException {
        kill("KILL", masterPid());
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Live descendants of the master that run {@code mainClass}, by pid. */
    List<Long> running(String mainClass) {
        return process.descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .filter(pid -> Procs.runs(pid, mainClass)).toList();
    }

    /** All live descendants, pid → command line. */
    Map<Long, List<String>> descendants() {
        Map<Long, List<String>> m = new LinkedHashMap<>();
        process.descendants().filter(ProcessHandle::isAlive).forEach(h -> m.put(h.pid(), Procs.cmdline(h.pid())));
        return m;
    }

    /**
     * Polls (every 5 ms) until {@code ready} holds or the master exits; fails after
     * {@code seconds}. Returns false when the master exited first.
     */
    boolean await(Predicate<MasterRun> ready, long seconds) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (ready.test(this)) {
                return true;
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("condition not reached within " + seconds + " s: " + argv + "\n" + stderr());
    }

    /** Sends a signal by pid, with the shell's builtin kill (kill(1) is not on a minimal Debian). */
    void signal(String sig) throws IOException, InterruptedException {
        kill(sig, pid());
    }

    static void kill(String sig, long pid) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("/bin/sh", "-c", "kill -s \"$1\" \"$2\"", "sh", sig,
                Long.toString(pid)).inheritIO().start();
        if (k.waitFor() != 0) {
            throw new AssertionError("kill -" + sig + " " + pid + " failed");
        }
    }

    /** Waits for the master to exit and returns its status and output. */
    Dist.Run finish(long seconds) throws IOException, InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            String e = stderr();
            close();
            throw new AssertionError("master did not exit within " + seconds + " s: " + argv + "\n" + e);
        }
        return new Dist.Run(process.pid(), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), stderr());
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
