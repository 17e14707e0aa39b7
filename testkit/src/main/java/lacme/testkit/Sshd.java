package lacme.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import lacme.common.config.Passwd;

/**
 * A real OpenSSH server (Debian's {@code /usr/sbin/sshd}) on a free loopback port, for the
 * tests of lacme-accountd reached over ssh: its own sshd_config, host key and throwaway
 * user account (the key host's user, created here with {@code useradd} under a random name
 * and looked up, never assumed), root's throwaway client key authorised for that user, and an
 * ssh_config naming the host {@value #HOST} so that a test writes
 * {@code ssh -F <config> -T <user>@keyhost lacme-accountd} as lacme documents it.
 * Needs root (sshd, useradd) and openssh-server + openssh-client (scripts/setup.sh).
 * {@link #close()} stops sshd by pid, kills what still runs as the user, deletes the user and
 * the directory.
 */
public final class Sshd implements AutoCloseable {
    /** The host name the client configuration ({@link #sshConfig()}) knows. */
    public static final String HOST = "keyhost";

    private final Path dir;
    private final Passwd.User user;
    private final int port;
    private final Process sshd;
    private final Thread hook;

    private Sshd(Path dir, Passwd.User user, int port, Process sshd) {
        this.dir = dir;
        this.user = user;
        this.port = port;
        this.sshd = sshd;
        this.hook = new Thread(this::stop);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Creates the user, the keys and the configurations, starts sshd and waits until it listens. */
    public static Sshd start() throws IOException, InterruptedException {
        for (String tool : List.of("/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/sbin/useradd")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new IllegalStateException(tool + " is not installed (openssh-server, openssh-client: scripts/setup.sh)");
            }
        }
        // Readable by the user: sshd reads AuthorizedKeysFile with the user's uid.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "lacme-sshd.");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectory(dir.resolve("home"));
        String name = "lacmekh" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        // Password "*": no password login, yet not "locked" ("!"), which sshd without PAM refuses.
        run(List.of("useradd", "--system", "--no-create-home", "--home-dir", home.toString(), "--shell", "/bin/sh",
                "--gid", "nogroup", "--password", "*", name));
        Passwd.User user = Passwd.user(name).orElseThrow(() -> new IllegalStateException("useradd did not create " + name));
        run(List.of("chown", user.uid() + ":" + user.gid(), home.toString()));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        try {
            run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lacme-test-host", "-f", dir.resolve("host_key").toString()));
            run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lacme-test-root", "-f", dir.resolve("root_key").toString()));
            Files.copy(dir.resolve("root_key.pub"), dir.resolve("authorized_keys"));
            String[] hostKey = Files.readString(dir.resolve("host_key.pub")).trim().split(" ");
            Files.writeString(dir.resolve("known_hosts"), HOST + " " + hostKey[0] + " " + hostKey[1] + "\n");
            int port = Loopback.freePorts(1)[0];
            Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                    "Port " + port,
                    "ListenAddress " + Loopback.ADDRESS,
                    "HostKey " + dir.resolve("host_key"),
                    "PidFile none",
                    "AllowUsers " + name,
                    "PermitRootLogin no",
                    "AuthenticationMethods publickey",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    // The keys file is root's, in a directory under /tmp (sticky, world-writable):
                    // StrictModes would refuse that path; the file itself is 0644 and root-owned.
                    "StrictModes no",
                    // The key host's own programs first, as its ~/.profile would put them.
                    "SetEnv PATH=" + home.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin",
                    // ssh -R to a UNIX socket path (lacme --socket=); stale sockets replaced. sshd
                    // gates every remote forward on AllowTcpForwarding, so TCP is closed by
                    // PermitListen/PermitOpen instead.
                    "AllowStreamLocalForwarding remote",
                    "StreamLocalBindUnlink yes",
                    "AllowTcpForwarding remote",
                    "PermitListen none",
                    "PermitOpen none",
                    "X11Forwarding no",
                    "AllowAgentForwarding no",
                    "PrintMotd no",
                    "LogLevel VERBOSE",
                    ""), StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve("ssh_config"), String.join("\n",
                    "Host " + HOST,
                    "  HostName " + Loopback.ADDRESS,
                    "  Port " + port,
                    "  IdentityFile " + dir.resolve("root_key"),
                    "  IdentitiesOnly yes",
                    "  HostKeyAlias " + HOST,
                    "  UserKnownHostsFile " + dir.resolve("known_hosts"),
                    "  GlobalKnownHostsFile /dev/null",
                    "  StrictHostKeyChecking yes",
                    "  BatchMode yes",
                    "  LogLevel ERROR",
                    ""), StandardCharsets.US_ASCII);
            // sshd's privilege separation directory; /run is a fresh tmpfs on a new root.
            Path privsep = Path.of("/run/sshd");
            if (!Files.isDirectory(privsep)) {
                Files.createDirectories(privsep);
                Files.setPosixFilePermissions(privsep, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path log = dir.resolve("sshd.log");
            Process p = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Sshd s = new Sshd(dir, user, port, p);
            s.awaitListening(log);
            return s;
        } catch (IOException | RuntimeException | InterruptedException e) {
            removeUser(name);
            deleteTree(dir);
            throw e;
        }
    }

    private void awaitListening(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(Loopback.ADDRESS, port), 1000);
                return;
            } catch (IOException e) {
                if (!sshd.isAlive() || System.nanoTime() > deadline) {
                    close();
                    throw new IOException("sshd did not listen on port " + port + ": " + Loopback.tail(log));
                }
                Thread.sleep(50);
            }
        }
    }

    /** The key host's user (created for this server). */
    public Passwd.User user() {
        return user;
    }

    /** Its home directory, 0700, owned by it; empty at start. */
    public Path home() {
        return Path.of(user.home());
    }

    /** The client configuration for root: host {@value #HOST}, this port, root's key, the pinned host key. */
    public Path sshConfig() {
        return dir.resolve("ssh_config");
    }

    /** sshd's log (-e, LogLevel VERBOSE): accepted keys, sessions, forwardings. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("sshd.log"), StandardCharsets.UTF_8);
    }

    /** pid of the listening sshd. */
    public long pid() {
        return sshd.pid();
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs stop()
        }
        stop();
    }

    private void stop() {
        // Sessions outlive the listener: stop them first, then sshd, then the user's processes.
        sshd.descendants().forEach(ProcessHandle::destroy);
        sshd.destroy();
        try {
            if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
                sshd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeUser(user.name());
        deleteTree(dir);
    }

    private static void removeUser(String name) {
        try {
            // userdel refuses a user that still runs processes.
            List<ProcessHandle> left = ProcessHandle.allProcesses()
                    .filter(h -> h.info().user().map(name::equals).orElse(false)).toList();
            for (ProcessHandle h : left) {
                h.destroyForcibly();
            }
            for (ProcessHandle h : left) {
                h.onExit().get(5, TimeUnit.SECONDS);
            }
            run(List.of("userdel", name));
        } catch (Exception e) {
            System.err.println("Sshd: could not remove the test user " + name + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temporary directory
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }
}
