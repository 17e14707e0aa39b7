package lacme.master;

import lacme.common.Version;
import lacme.common.cli.LongOptions;
import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.common.log.Logging;
import lacme.common.os.Fds;
import lacme.master.config.LacmeConf;
import lacme.master.status.MetricsRun;
import org.slf4j.Logger;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code lacme}, the root master. It reads configuration, binds sockets, obtains the accountd
 * connection, builds CSRs and installs certificates; it never parses data from the network:
 * everything ACME happens in the unprivileged client it spawns. Options may appear anywhere
 * on the command line (GNU getopt permutation), as with lacme ({@link MasterOptions}).
 */
public final class MasterMain {
    private MasterMain() {
    }

    public static void main(String[] argv) {
        // first thing: a SIGINT/SIGTERM from here on exits 1 (see Cleanup), not 130/143
        Cleanup cleanup = new Cleanup();
        cleanup.installShutdownHook();
        LauncherWatch.start(); // sbin/lacme killed outright: end as on SIGTERM
        Fds.initInBackground(); // for the socketpairs to the children
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
        MasterOptions m;
        try {
            m = MasterOptions.parse(argv);
        } catch (LongOptions.UsageException e) {
            return usage(e.getMessage());
        }
        if (m.help) {
            System.err.print(MasterOptions.HELP); // on stderr, as lacme prints its usage
            return 0;
        }
        if (m.version) {
            System.out.println("lacme (Java) version " + Version.VERSION);
            return 0;
        }
        if (m.args.isEmpty()) {
            return usage("Missing command");
        }
        String command = m.args.get(0);
        if (!MasterOptions.COMMANDS.contains(command)) {
            return usage("Invalid command: " + LongOptions.shown(command));
        }
        if (m.debug) {
            m.quiet = false;
        }
        Logger log = Logging.init("lacme", m.debug ? Logging.DEBUG : Logging.NORMAL);
        cleanup.log(log);
        try {
            return execute(m, command, m.args.subList(1, m.args.size()), log, cleanup);
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

    /** Runs {@code command} with its operands {@code args}. */
    private static int execute(MasterOptions o, String command, List<String> args, Logger log, Cleanup cleanup)
            throws Fatal {
        Specifiers sp = Specifiers.forCurrentProcess();
        Path prefix = Path.of(System.getProperty("lacme.prefix", "/usr"));
        LacmeConf conf;
        try {
            Path file = Path.of(sp.expand(o.config != null ? o.config : "%E/lacme/lacme.conf"));
            log.debug("Using configuration file: {}", file);
            conf = LacmeConf.read(file, prefix, o.socket != null);
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
        Context ctx = new Context(conf, sp, log, cleanup, o.debug, o.quiet, o.socket);
        Integer days = o.force ? Integer.valueOf(-1) : o.minDays;
        switch (command) {
            case "account":
                return new AccountCommand(ctx).account(o.register, o.tosAgreed, o.deactivate, args);
            case "newOrder":
            case "new-cert":
                MetricsRun metrics = StatusCommand.metrics(ctx, o.configCerts, args, days);
                try {
                    return new NewOrderCommand(ctx).run(o.configCerts, days, args);
                } finally {
                    String problem = metrics == null ? null : metrics.finish(Instant.now());
                    if (problem != null) {
                        log.warn("Warning: {}", problem);
                    }
                }
            case "status":
                return new StatusCommand(ctx).run(o.configCerts, days, o.json, args);
            default:
                return new AccountCommand(ctx).revoke(args);
        }
    }
}
