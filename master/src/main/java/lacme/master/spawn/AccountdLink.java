package lacme.master.spawn;

import static lacme.common.io.Errno.reason;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.common.os.Contain;
import lacme.common.os.Fds;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.slf4j.Logger;

import java.io.File;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The master's end of a connection to lacme-accountd, obtained before any child that talks to
 * the network exists — either by spawning accountd in {@code --stdio} mode on a socketpair
 * (its {@code command} may be {@code ssh -T keyhost lacme-accountd}) or by connecting to its
 * socket after lacme's permission checks, so that no other local user can have planted or be
 * listening on it. The descriptor is then handed to the client; the master never speaks the
 * protocol itself.
 */
public final class AccountdLink {
    private final AFUNIXSocketChannel channel;
    /** The accountd the master spawned, or null when it connected to a running one. */
    private final Spawner.Child child;

    private AccountdLink(AFUNIXSocketChannel channel, Spawner.Child child) {
        this.channel = channel;
        this.child = child;
    }

    /**
     * The exit status of the accountd the master spawned, once it has exited (given a moment);
     * -1 when it was not spawned or still runs.
     */
    public int spawnedExitStatus() {
        if (child == null) {
            return -1;
        }
        try {
            return child.process().waitFor(2, TimeUnit.SECONDS) ? child.process().exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The descriptor to pass to the client. */
    public FileDescriptor fd() throws IOException {
        return channel.getFileDescriptor();
    }

    /**
     * Closes the master's copy without shutting the connection down, so the client that
     * received it keeps a working connection.
     */
    public void release() throws IOException {
        Fds.closeOnlyHere(channel.getFileDescriptor());
    }

    /**
     * Spawns accountd with --stdio as described by [accountd]. Like lacme, the command is split
     * on white space and each word's {@code %}-specifiers are expanded for the user accountd
     * runs as (e.g. {@code ssh -T %u@keyhost lacme-accountd}); GPG_TTY is passed on so that a
     * gpg-encrypted account key can ask for its passphrase.
     */
    public static AccountdLink spawn(Map<String, String> conf, boolean debug, Spawner spawner, Logger log) throws Fatal {
        return spawn(conf, debug, null, spawner, log);
    }

    /**
     * Like {@link #spawn(Map, boolean, Spawner, Logger)}, granting accountd {@code --allow=allow}
     * (null: nothing). Only the command the operator ran decides this (e.g. {@code deactivation}
     * for {@code lacme account --deactivate}), never the client: accountd's signing policy
     * refuses these requests otherwise.
     */
    public static AccountdLink spawn(Map<String, String> conf, boolean debug, String allow, Spawner spawner,
            Logger log) throws Fatal {
        if (!conf.get("privkey").isEmpty()) {
            log.warn("Setting 'privkey' in lacme.conf's [accountd] section is deprecated; "
                    + "set it in lacme-accountd.conf instead");
        }
        PrivDrop drop = PrivDrop.of(conf.get("user"), conf.get("group"));
        List<String> argv = argv(conf, drop.specifiers(), debug, allow);
        String gpgTty = System.getenv("GPG_TTY");
        Spawner.Paired p = spawner.startOnSocketpair("lacme-accountd", drop, contain(drop, argv), argv,
                gpgTty == null ? Map.of() : Map.of("GPG_TTY", gpgTty), Path.of("/"));
        // killed mid-order (issue 15), accountd left the run with exit 1 and no word of why: the
        // client only saw its requests fail. 0 is its normal end once the client lets go, 255
        // its die after its own line (e.g. a missing key: ClientSession says nothing more)
        spawner.cleanup().failOnExit(p.child().process(), "lacme-accountd", s -> s == 0 || s == 255);
        return new AccountdLink(p.mine(), p.child());
    }

    /**
     * How accountd is contained. Always a PID namespace of its own. No network only when the
     * command runs lacme-accountd itself (an {@code ssh} command, or any other, may need it).
     * A session of its own only when it runs dropped: accountd running as root (lacme's
     * default) keeps root's terminal, where it asks an encrypted key's passphrase, and is
     * root already, so a terminal gives it nothing more.
     */
    static Contain contain(PrivDrop drop, List<String> argv) {
        Path prog = Path.of(argv.get(0)).getFileName();
        return new Contain(drop.drops(), prog != null && prog.toString().equals("lacme-accountd"));
    }

    /** accountd's argv: the expanded command, then --stdio and the options lacme adds. */
    static List<String> argv(Map<String, String> conf, Specifiers target, boolean debug) throws Fatal {
        return argv(conf, target, debug, null);
    }

    /** accountd's argv with {@code --allow=allow} when {@code allow} is not null. */
    static List<String> argv(Map<String, String> conf, Specifiers target, boolean debug, String allow) throws Fatal {
        List<String> argv = new ArrayList<>();
        for (String word : Spawner.split(conf.get("command"), "accountd")) {
            try {
                argv.add(target.expand(word));
            } catch (ConfigException e) {
                throw new Fatal("[accountd] command: " + e.getMessage());
            }
        }
        argv.add("--stdio");
        if (!conf.get("config").isEmpty()) {
            argv.add("--config=" + conf.get("config"));
        }
        if (!conf.get("privkey").isEmpty()) {
            argv.add("--privkey=" + conf.get("privkey"));
        }
        if (!conf.get("quiet").equalsIgnoreCase("no")) {
            argv.add("--quiet");
        }
        if (debug) {
            argv.add("--debug");
        }
        if (allow != null) {
            argv.add("--allow=" + allow);
        }
        return argv;
    }

    /**
     * Connects to a running accountd's socket after lacme's checks: only root may write to the
     * socket's directory (nobody else can have replaced the socket), and only its owner may
     * read or write the socket (nobody else can talk to that accountd). Both are stat(2)s that
     * follow symbolic links, as lacme's.
     */
    public static AccountdLink connect(String socket, Specifiers sp, Cleanup cleanup) throws Fatal {
        Path path;
        try {
            path = Path.of(sp.expand(socket));
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
        Path dir = path.toAbsolutePath().getParent();
        try {
            int dmode = (Integer) Files.getAttribute(dir, "unix:mode");
            if ((dmode & 0022) != 0) {
                throw new Fatal("Insecure permissions on " + dir);
            }
        } catch (IOException e) {
            throw new Fatal("stat(" + dir + "): " + reason(e));
        }
        try {
            int smode = (Integer) Files.getAttribute(path, "unix:mode");
            if ((smode & 0066) != 0) {
                throw new Fatal("Insecure permissions on " + path);
            }
        } catch (IOException e) {
            throw new Fatal("Can't stat " + path + ": " + reason(e) + " (Is lacme-accountd running?)");
        }
        try {
            AFUNIXSocketChannel ch = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(new File(path.toString())));
            cleanup.add(() -> closeIfOpen(ch));
            return new AccountdLink(ch, null);
        } catch (IOException e) {
            throw new Fatal("connect(" + path + "): " + e.getMessage() + " (Is lacme-accountd running?)");
        }
    }

    /** Closes a channel whose descriptor may already have been released to a child. */
    static void closeIfOpen(AFUNIXSocketChannel ch) throws IOException {
        if (ch.getFileDescriptor().valid()) {
            ch.close();
        }
    }
}
