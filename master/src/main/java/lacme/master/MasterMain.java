package lacme.master;

import lacme.common.Version;
import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.common.log.Logging;
import lacme.master.config.LacmeConf;
import lacme.master.status.MetricsRun;
import org.slf4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code lacme}, the root master. It reads configuration, binds sockets, obtains the accountd
 * connection, builds CSRs and installs certificates; it never parses data from the network:
 * everything ACME happens in the unprivileged client it spawns. Options may appear anywhere
 * on the command line (GNU getopt permutation), as with lacme.
 */
@Command(name = "lacme", mixinStandardHelpOptions = false, sortOptions = false)
public final class MasterMain {
    static final Set<String> COMMANDS = Set.of("account", "newOrder", "new-cert", "revokeCert", "revoke-cert",
            "status");

    /** --help: lacme's usage line, then every command and option (MasterMainTest checks). */
    static final String HELP = """
            Usage: lacme [--config=FILE] [--socket=PATH] [OPTIONS] COMMAND [ARGUMENT ..]

            Commands:
              account [--register] [--tos-agreed] [--deactivate] [CONTACT ..]
                                     show the ACME account; register it, agree to the terms of
                                     service, replace its contacts, or deactivate it
              newOrder [--config-certs=FILE ..] [--min-days=N|--force] [SECTION ..]
                                     order or renew the certificates of every (or each given)
                                     section; also new-cert
              revokeCert FILE [FILE ..]
                                     revoke each file's certificate; also revoke-cert
              status [--json] [--config-certs=FILE ..] [--min-days=N|--force] [SECTION ..]
                                     show each section's certificate and what newOrder would
                                     do with it; no accountd, no network, nothing written

            Options:
              --config=FILE          configuration file (default %E/lacme/lacme.conf)
              --socket=PATH          use the lacme-accountd listening there; ignore [accountd]
              --config-certs=FILE    newOrder: certificate file or directory (repeatable)
              --min-days=N           newOrder: renew what expires within N days
              --force                newOrder: renew whatever the expiry date
              --json                 status: one JSON document (docs/status-json.md)
              --register             account: create the account
              --tos-agreed           account: agree to the ACME server's terms of service
              --deactivate           account: deactivate the account
              -q, --quiet            do not report certificates that need no renewal
              --debug                log details and stack traces
              -h, --help             show this help and exit
              --version              show the version and exit

            Exit status: 0 when everything selected succeeded or was still valid, else 1;
            status: 2 when a selected section has no valid certificate.
            Consult lacme(8) and lacme.conf(5) for more information.
            """;

    @Option(names = "--config", paramLabel = "FILE") String config;
    @Option(names = "--config-certs", paramLabel = "FILE") List<String> configCerts;
    @Option(names = "--socket", paramLabel = "PATH") String socket;
    @Option(names = "--register") boolean register;
    @Option(names = "--tos-agreed") boolean tosAgreed;
    @Option(names = "--deactivate") boolean deactivate;
    @Option(names = "--min-days", paramLabel = "N") Integer minDays;
    @Option(names = "--force") boolean force;
    @Option(names = "--json") boolean json;
    @Option(names = {"-q", "--quiet"}) boolean quiet;
    @Option(names = "--debug") boolean debug;
    @Option(names = {"-h", "--help"}) boolean help;
    @Option(names = "--version") boolean version;
    @Parameters List<String> args = new ArrayList<>();

    public static void main(String[] argv) {
        // first thing: a SIGINT/SIGTERM from here on exits 1 (see Cleanup), not 130/143
        Cleanup cleanup = new Cleanup();
        cleanup.installShutdownHook();
        LauncherWatch.start(); // sbin/lacme killed outright: end as on SIGTERM
        Cleanup.exit(run(argv, cleanup));
    }

    static int usage(String message) {
        if (message != null) {
            System.err.println(message);
        }
        System.err.println("Try 'lacme --help' or consult the manpage for more information.");
        return 1;
    }

    static int run(String[] argv, Cleanup cleanup) {
        MasterMain m = new MasterMain();
        CommandLine cl = new CommandLine(m);
        cl.setPosixClusteredShortOptionsAllowed(true);
        try {
            cl.parseArgs(argv);
        } catch (CommandLine.ParameterException e) {
            return usage(e.getMessage());
        }
        if (m.help) {
            System.err.print(HELP); // on stderr, as lacme prints its usage
            return 0;
        }
        if (m.version) {
            System.out.println("lacme (Java) version " + Version.VERSION);
            return 0;
        }
        if (m.args.isEmpty()) {
            return usage("Missing command");
        }
        String command = m.args.remove(0);
        if (!COMMANDS.contains(command)) {
            return usage("Invalid command: " + command);
        }
        if (m.debug) {
            m.quiet = false;
        }
        Logger log = Logging.init("lacme", m.debug ? Logging.DEBUG : Logging.NORMAL);
        cleanup.log(log);
        try {
            return m.execute(command, log, cleanup);
        } catch (Fatal e) {
            if (cleanup.claimReport() && !e.reported()) {
                log.error("{}", e.getMessage());
                if (m.debug && e.getCause() != null) {
                    e.getCause().printStackTrace();
                }
            }
            return 1;
        } catch (RuntimeException | LinkageError e) {
            // a bug, not a user error: one line, the trace only with --debug
            if (cleanup.claimReport()) {
                log.error("internal error: {}", e.toString());
                if (m.debug) {
                    e.printStackTrace();
                }
            }
            return 1;
        } finally {
            cleanup.runAll();
        }
    }

    private int execute(String command, Logger log, Cleanup cleanup) throws Fatal {
        Specifiers sp = Specifiers.forCurrentProcess();
        Path prefix = Path.of(System.getProperty("lacme.prefix", "/usr"));
        LacmeConf conf;
        try {
            Path file = Path.of(sp.expand(config != null ? config : "%E/lacme/lacme.conf"));
            log.debug("Using configuration file: {}", file);
            conf = LacmeConf.read(file, prefix, socket != null);
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
        Context ctx = new Context(conf, sp, log, cleanup, debug, quiet, socket);
        Integer days = force ? Integer.valueOf(-1) : minDays;
        switch (command) {
            case "account":
                return new AccountCommand(ctx).account(register, tosAgreed, deactivate, args);
            case "newOrder":
            case "new-cert":
                MetricsRun metrics = StatusCommand.metrics(ctx, configCerts, args, days);
                try {
                    return new NewOrderCommand(ctx).run(configCerts, days, args);
                } finally {
                    String problem = metrics == null ? null : metrics.finish(Instant.now());
                    if (problem != null) {
                        log.warn("Warning: {}", problem);
                    }
                }
            case "status":
                return new StatusCommand(ctx).run(configCerts, days, json, args);
            default:
                return new AccountCommand(ctx).revoke(args);
        }
    }
}
