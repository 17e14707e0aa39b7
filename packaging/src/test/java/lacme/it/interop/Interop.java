package lacme.it.interop;

import lacme.it.Certs;
import lacme.it.Dist;
import lacme.it.Dist.Run;
import lacme.testkit.Pebble;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the interoperability tests share: the two implementations' programs (the assembled
 * distribution's launchers and Debian's lacme / lacme-accountd 0.8.2), running a command
 * as a sysadmin would, an accountd daemon on a socket, key generation with openssl, and the
 * configuration files of both implementations. (A few lines are copied from lacme.it.Dist
 * rather than shared, so that this package stays independent of the skeleton test.)
 */
final class Interop {
    /** Debian's lacme 0.8.2 (Perl): master, and the client/webserver it spawns by default. */
    static final Path PERL_LACME = Path.of("/usr/sbin/lacme");
    /** Debian's lacme-accountd 0.8.2 (Perl, RSA only). */
    static final Path PERL_ACCOUNTD = Path.of("/usr/bin/lacme-accountd");

    private Interop() {
    }

    /** The assembled distribution tree (packaging/target/dist). */
    static Path dist() {
        return Dist.root();
    }

    static Path ourLacme() {
        return dist().resolve("sbin/lacme");
    }

    static Path ourAccountd() {
        return dist().resolve("bin/lacme-accountd");
    }

    static Path ourClient() {
        return dist().resolve("libexec/lacme/client");
    }

    static Path ourWebserver() {
        return dist().resolve("libexec/lacme/webserver");
    }

    /** True when the Debian reference packages are installed. */
    static boolean perlInstalled() {
        return Files.isExecutable(PERL_LACME) && Files.isExecutable(PERL_ACCOUNTD)
                && Files.isExecutable(Path.of("/usr/libexec/lacme/client"));
    }

    /** True when this process is root (the Perl master drops privileges; CI runs as root). */
    static boolean isRoot() {
        return Dist.isRoot();
    }

    /** This process's "uid=U gid=G", as our accountd logs a peer's credentials. */
    static String uidGid() throws IOException {
        Path self = Path.of("/proc/self");
        return "uid=" + Files.getAttribute(self, "unix:uid") + " gid=" + Files.getAttribute(self, "unix:gid");
    }

    /** Runs a command to completion (bounded), stdin /dev/null, capturing stdout and stderr. */
    static Run run(Path workDir, List<String> argv, long timeoutSeconds) throws IOException, InterruptedException {
        return Dist.run(workDir, argv, timeoutSeconds);
    }

    /** Runs a command and fails the test unless it exits 0. */
    static Run runOk(Path workDir, List<String> argv, long timeoutSeconds) throws IOException, InterruptedException {
        Run r = run(workDir, argv, timeoutSeconds);
        assertEquals(0, r.exit(), argv + " failed: " + r);
        return r;
    }

    /** Key types of the tests. */
    enum KeyType {
        RSA("RSA", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
        P256("EC", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");

        final String jca;
        final List<String> genpkey;

        KeyType(String jca, String... genpkey) {
            this.jca = jca;
            this.genpkey = List.of(genpkey);
        }
    }

    /** Generates a private key with openssl genpkey (mode 0600), as lacme's man pages say. */
    static Path genkey(Path file, KeyType type) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("openssl", "genpkey"));
        argv.addAll(type.genpkey);
        argv.addAll(List.of("-out", file.toString()));
        runOk(file.getParent(), argv, 60);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** A directory only its owner may write to (accountd and lacme refuse anything else). */
    static Path privateDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    static Path write(Path file, String... lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** Lines of a log file containing {@code needle}. */
    static List<String> lines(Path file, String needle) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : read(file).split("\n")) {
            if (l.contains(needle)) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * An accountd daemon on a UNIX socket, started as a user would start it and stopped with
     * SIGTERM (by pid) at close, after which its socket must be gone.
     */
    static final class Daemon implements AutoCloseable {
        final Process process;
        final Path socket;
        final Path stderr;

        private Daemon(Process process, Path socket, Path stderr) {
            this.process = process;
            this.socket = socket;
            this.stderr = stderr;
        }

        static Daemon start(Path socket, List<String> argv) throws IOException, InterruptedException {
            Path err = Files.createTempFile(socket.getParent().getParent(), "accountd", ".stderr");
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(err.toFile()).redirectErrorStream(true).start();
            Daemon d = new Daemon(p, socket, err);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    d.close();
                    throw new AssertionError("accountd did not create " + socket + " (exit "
                            + (p.isAlive() ? "-" : p.exitValue()) + "): " + read(err));
                }
                Thread.sleep(50);
            }
            Thread.sleep(100); // Perl's lacme-accountd listen(2)s just after bind(2)
            return d;
        }

        String output() throws IOException {
            return read(stderr);
        }

        /** SIGTERM; waits for the exit and returns the status. */
        int stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("accountd ignored SIGTERM");
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(15, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Stops the daemon and checks that it removed its socket. */
        void stopAndCheckSocketGone() throws Exception {
            stop();
            assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "socket removed on SIGTERM: " + socket);
        }
    }

    /**
     * lacme.conf for Debian's lacme 0.8.2 with its own client and webserver. Its client
     * verifies the server by default ({@code SSL_verify} unset = Yes, host name included),
     * but lacme 0.8.2 cannot be told which CA to trust: the master hands its client only
     * {@code SSL_verify}, {@code SSL_version} and {@code SSL_cipher_list} and rebuilds the
     * client's environment, so LWP uses the system store, which does not know Pebble's
     * throwaway TLS CA. ({@code SSL_verify = No} is no way out: with IO::Socket::SSL 2.081,
     * Debian 12's, it only turns the host name check off; the chain is still verified,
     * "certificate verify failed".) So {@code [client] command} is a two-line wrapper
     * ({@code perl-client}) that sets {@code PERL_LWP_SSL_CA_FILE} to Pebble's TLS CA &mdash;
     * LWP::UserAgent's documented variable, standing in for the system store &mdash; and execs
     * the real /usr/libexec/lacme/client with the master's arguments and descriptors. The
     * reference client then verifies Pebble's certificate for real (chain and 127.0.0.1).
     *
     * @param clientSocket {@code [client] socket}, or null
     * @param accountd     the {@code [accountd]} section's lines (without header), or null for
     *                     none (then lacme connects to the socket)
     */
    static Path perlLacmeConf(Path dir, Pebble pebble, String clientSocket, List<String> accountd, Section... sections)
            throws IOException {
        Path ca = dir.resolve("pebble-tls-ca.pem");
        Files.writeString(ca, pebble.caPem(), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
        Path client = write(dir.resolve("perl-client"), "#!/bin/sh",
                "PERL_LWP_SSL_CA_FILE=" + ca + " exec /usr/libexec/lacme/client \"$@\"");
        Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwxr-xr-x"));
        return lacmeConf(dir.resolve("perl-lacme.conf"), pebble, List.of("command = " + client), List.of(),
                clientSocket, accountd, sections);
    }

    /**
     * lacme.conf for our lacme with our client and webserver (the distribution's), which
     * trusts Pebble's TLS CA through {@code SSL_ca_file}.
     */
    static Path ourLacmeConf(Path dir, Pebble pebble, String clientSocket, List<String> accountd, Section... sections)
            throws IOException {
        return lacmeConf(dir.resolve("our-lacme.conf"), pebble,
                List.of("SSL_ca_file = " + pebble.caPemPath(), "command = " + ourClient()),
                List.of("command = " + ourWebserver()), clientSocket, accountd, sections);
    }

    /**
     * Writes lacme.conf (the same keys for both implementations, plus each one's extra
     * [client] and [webserver] lines; no privilege drop unless root) and, next to it,
     * lacme-certs.conf with the sections and Pebble's issuing roots as CAfile.
     */
    private static Path lacmeConf(Path file, Pebble pebble, List<String> client, List<String> webserver,
                                  String clientSocket, List<String> accountd, Section... sections) throws IOException {
        List<String> noDrop = isRoot() ? List.of() : List.of("user =", "group =");
        List<String> l = new ArrayList<>(List.of("config-certs = lacme-certs.conf",
                "[client]", "server = " + pebble.directoryUrl(), "timeout = 60"));
        l.addAll(client);
        if (clientSocket != null) {
            l.add("socket = " + clientSocket);
        }
        l.addAll(noDrop);
        l.addAll(List.of("[webserver]", "listen = 127.0.0.1:" + pebble.httpPort()));
        l.addAll(webserver);
        l.addAll(noDrop);
        if (accountd != null) {
            l.add("[accountd]");
            l.addAll(accountd);
        }
        Path dir = file.getParent();
        Path roots = dir.resolve("pebble-roots.pem");
        Files.writeString(roots, pebble.issuingRootsPem(), StandardCharsets.US_ASCII);
        StringBuilder certs = new StringBuilder("CAfile = " + roots + "\n");
        for (Section s : sections) {
            certs.append('\n').append(s.conf());
        }
        Files.writeString(dir.resolve("lacme-certs.conf"), certs.toString(), StandardCharsets.UTF_8);
        return write(file, l.toArray(new String[0]));
    }

    /** lacme-accountd.conf (both implementations read the same keys). */
    static Path accountdConf(Path file, Path key, Path logfile) throws IOException {
        return write(file, "privkey = file:" + key, "logfile = " + logfile, "quiet = Yes");
    }

    /** Debian's lacme 0.8.2, run as is (its client is pointed at Pebble's CA by {@link #perlLacmeConf}). */
    static List<String> perlLacme() {
        return List.of(PERL_LACME.toString());
    }

    /** {@code lacme account --register} then {@code lacme newOrder}: both must succeed. */
    static Run[] registerAndIssue(Path dir, List<String> lacme, List<String> options, Section s)
            throws IOException, InterruptedException {
        List<String> reg = new ArrayList<>(lacme);
        reg.addAll(options);
        reg.addAll(List.of("account", "--register", "--tos-agreed", "mailto:hostmaster@example.test"));
        Run r1 = runOk(dir, reg, 180);
        assertTrue(r1.stdout().contains("mailto:hostmaster@example.test"), "account object printed: " + r1);
        List<String> order = new ArrayList<>(lacme);
        order.addAll(options);
        order.addAll(List.of("newOrder", s.name()));
        Run r2 = runOk(dir, order, 240);
        assertTrue(r2.stderr().contains("Installing X.509 certificate " + s.cert()), r2.toString());
        assertTrue(r2.stdout().contains("Fingerprint="), "fingerprint printed: " + r2);
        return new Run[] {r1, r2};
    }

    /** The names and the service key a certificate section asks for. */
    record Section(String name, Path key, Path cert, Path chain, List<String> dnsNames) {
        static Section of(Path dir, String name, String domain) {
            return new Section(name, dir.resolve(name + ".key"), dir.resolve(name + ".crt"),
                    dir.resolve(name + ".chain.pem"), List.of(domain, "www." + domain));
        }

        /** The lacme-certs.conf section (the same syntax for both implementations). */
        String conf() {
            return "[" + name + "]\n"
                    + "certificate-key = " + key + "\n"
                    + "certificate = " + cert + "\n"
                    + "certificate-chain = " + chain + "\n"
                    + "subject = /CN=" + dnsNames.get(0) + "\n"
                    + "subjectAltName = DNS:" + String.join(",DNS:", dnsNames) + "\n";
        }
    }

    /**
     * Sets {@code keyid} in a lacme-accountd.conf, runs {@code newOrder --force SECTION} and
     * returns what the accountd log gained during that run. With a keyid the greeting
     * carries the {@code kid} and the JWK line is {@code {}}, so the client must sign with
     * that kid from the first request on and never look its account up (it could not: it
     * has no JWK).
     */
    static String reissueWithKeyid(Path dir, List<String> lacme, List<String> options, Section s, Path accountdConf,
                                   String kid, Path log) throws Exception {
        Files.writeString(accountdConf, read(accountdConf) + "keyid = " + kid + "\n", StandardCharsets.UTF_8);
        java.math.BigInteger before = Certs.parse(s.cert()).get(0).getSerialNumber();
        int offset = read(log).length();
        List<String> argv = new ArrayList<>(lacme);
        argv.addAll(options);
        argv.addAll(List.of("newOrder", "--force", s.name()));
        Run r = runOk(dir, argv, 240);
        assertTrue(r.stderr().contains("Installing X.509 certificate " + s.cert()), r.toString());
        assertTrue(!before.equals(Certs.parse(s.cert()).get(0).getSerialNumber()), "a new certificate was installed");
        return read(log).substring(offset);
    }
}
