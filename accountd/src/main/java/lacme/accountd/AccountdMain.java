package lacme.accountd;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.common.cli.LongOptions;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * lacme-accountd: the only process that holds the ACME account key. It signs JWS signing
 * inputs for lacme's client over accountd protocol 1, either on a UNIX socket (a daemon
 * serving concurrent connections) or, with --stdio, for one session on stdin/stdout (how
 * lacme spawns it, locally or through {@code ssh -T keyhost lacme-accountd}).
 *
 * <p>Exit status, as lacme-accountd 0.8.2: 0 on success (end of the --stdio session,
 * SIGINT/SIGTERM), 1 on a usage error, 255 on any other error, reported as one line on
 * stderr (with a stack trace only under --debug).
 */
public final class AccountdMain {
    static final int EXIT_USAGE = 1;
    static final int EXIT_ERROR = 255;
    private static final Pattern PRINTABLE = Pattern.compile("\\p{Print}+");

    private AccountdMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs lacme-accountd and returns its exit status. */
    static int run(String[] args) {
        AccountdOptions opts = new AccountdOptions();
        try {
            AccountdOptions.parse(opts, args);
        } catch (LongOptions.UsageException e) {
            System.err.println(e.getMessage());
            System.err.println("Try 'lacme-accountd --help' or consult the manpage for more information.");
            return EXIT_USAGE;
        }
        if (opts.help) {
            System.out.print(AccountdOptions.HELP);
            System.out.flush();
            return 0;
        }
        if (opts.version) {
            System.out.print(AccountdOptions.VERSION);
            System.out.flush();
            return 0;
        }
        // In --stdio mode stdout is the protocol stream: keep it for the session only, so
        // that nothing else (a library's stray print) can ever write to it.
        OutputStream protocolOut = null;
        if (opts.stdio) {
            protocolOut = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
            System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        }
        NativeCrypto.prepare();
        SignalExit.install();
        AccountLog log = new AccountLog(opts.debug);
        try {
            Specifiers spec = Specifiers.forCurrentProcess();
            AccountdConfig.Settings s = AccountdConfig.load(opts, spec, log);
            log.setQuiet(s.quiet());
            AccountKey key = KeyLoader.load(s.privkey(), s.gpg(), spec, s.stdio(), new TerminalPassphrase());
            log.debug("Account key: " + key.alg().getName() + ", JWK thumbprint " + key.thumbprint());
            log.debug("Signing with " + NativeCrypto.choose().description());
            log.debug("Signing policy: also allowed " + s.rules().allowed() + ", origin " + s.rules().origin()
                    + (s.rules().allowlist() == null ? ", any identifier" : ", identifiers allowlist set"));
            Session session = new Session(key, s.keyid(), s.rules(), log);
            if (s.stdio()) {
                String id = Long.toString(ProcessHandle.current().pid());
                session.serve(new BufferedInputStream(new FileInputStream(FileDescriptor.in)), protocolOut, id);
                return 0;
            }
            try (SocketServer server = SocketServer.bind(socketPath(s.socket(), spec), log)) {
                server.serve(session);
            }
            return 0;
        } catch (AccountdException e) {
            log.error(e.getMessage());
            if (opts.debug) {
                e.printStackTrace();
            }
            return EXIT_ERROR;
        } catch (RuntimeException | Error e) {
            log.error("PANIC: " + e);
            if (opts.debug) {
                e.printStackTrace();
            }
            return EXIT_ERROR;
        }
    }

    private static Path socketPath(String socket, Specifiers spec) throws AccountdException {
        String p;
        try {
            p = spec.expand(socket);
        } catch (ConfigException e) {
            throw new AccountdException(e.getMessage(), e);
        }
        if (!PRINTABLE.matcher(p).matches()) {
            throw new AccountdException("Invalid socket name");
        }
        return Path.of(p);
    }
}
