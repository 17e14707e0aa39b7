package lacme.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code /proc} says about a live process — its command line, status, environment and
 * cwd — for tests that watch the master's children while they run. Every read may fail
 * because the process has just exited; callers get an empty result then.
 */
final class Procs {
    /** Main class of the client and of the webserver, as they appear on the java command line. */
    static final String CLIENT = "lacme.client.ClientMain";
    static final String WEBSERVER = "lacme.webserver.WebserverMain";
    static final String ACCOUNTD = "lacme.accountd.AccountdMain";
    /** The master's JVM, a child of sbin/lacme. */
    static final String MASTER = "lacme.master.MasterMain";

    private Procs() {
    }

    /** The NUL-separated command line, or empty when the process is gone. */
    static List<String> cmdline(long pid) {
        try {
            String s = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String a : s.split("\0")) {
                out.add(a);
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * True when {@code pid} is a JVM running {@code mainClass} — i.e. past setpriv's exec, so
     * its credentials are final.
     */
    static boolean runs(long pid, String mainClass) {
        List<String> c = cmdline(pid);
        return !c.isEmpty() && c.get(0).endsWith("java") && c.contains(mainClass);
    }

    /** {@code /proc/PID/status} as name → value (tabs kept inside values). */
    static Optional<Map<String, String>> status(long pid) {
        try {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                int i = line.indexOf(':');
                if (i > 0) {
                    m.put(line.substring(0, i), line.substring(i + 1).trim());
                }
            }
            return Optional.of(m);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The environment variable names of a process. */
    static Optional<List<String>> environNames(long pid) {
        try {
            String s = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String kv : s.split("\0")) {
                if (kv.indexOf('=') > 0) {
                    out.add(kv.substring(0, kv.indexOf('=')));
                }
            }
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The process' working directory, as this process names it. A contained child has a mount
     * namespace of its own (unshare --mount-proc); when the tests run in a chroot (a fresh root),
     * the kernel then names its cwd from the host's root, so the child's root as seen from here
     * is stripped off.
     */
    static Optional<Path> cwd(long pid) {
        try {
            Path cwd = Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"));
            Path root = Files.readSymbolicLink(Path.of("/proc/" + pid + "/root"));
            if (!root.equals(Path.of("/")) && cwd.startsWith(root)) {
                cwd = Path.of("/").resolve(root.relativize(cwd));
            }
            return Optional.of(cwd);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True while a process with this pid exists (and is not a zombie). */
    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && status(pid).map(s -> !s.getOrDefault("State", "").startsWith("Z")).orElse(false);
    }
}
