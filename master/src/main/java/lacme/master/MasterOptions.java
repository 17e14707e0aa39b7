package lacme.master;

import lacme.common.cli.LongOptions;
import lacme.common.cli.LongOptions.UsageException;

import java.util.List;
import java.util.Set;

/**
 * lacme's command line, as lacme 0.8.2's Getopt::Long reads it: global options anywhere
 * (GNU permutation), {@code --opt=value} or {@code --opt value}, bundled short flags, no
 * abbreviations, {@code --} ending the options, then the command and its operands. Parsed by
 * {@link LongOptions}, not picocli: picocli cost every start ~0.1 s of CPU and ~170 classes
 * (issue 12). A value option given twice is a usage error, not a silent replacement
 * ({@code --config-certs} excepted: it is repeatable); unlike picocli, no {@code @file}
 * argument expansion (root must not read a file named on the command line as arguments).
 */
final class MasterOptions {
    static final Set<String> COMMANDS = Set.of("account", "newOrder", "new-cert", "revokeCert", "revoke-cert",
            "status");

    static final LongOptions OPTIONS = new LongOptions().value("--config").repeatable("--config-certs")
            .value("--socket").flag("--register").flag("--tos-agreed").flag("--deactivate").value("--min-days")
            .flag("--force").flag("--json").flag("--quiet", "-q").flag("--debug").flag("--help", "-h")
            .flag("--version");

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

    String config;
    /** The --config-certs values in order, or null when none was given (lacme.conf decides). */
    List<String> configCerts;
    String socket;
    boolean register;
    boolean tosAgreed;
    boolean deactivate;
    /** --min-days, or null when not given. */
    Integer minDays;
    boolean force;
    boolean json;
    boolean quiet;
    boolean debug;
    boolean help;
    boolean version;
    /** The operands: the command word, then its arguments. */
    List<String> args;

    /** Parses {@code argv}; a usage error is a {@link UsageException} with a one-line message. */
    static MasterOptions parse(String... argv) {
        LongOptions.Parsed o = OPTIONS.parse(argv);
        MasterOptions m = new MasterOptions();
        m.config = o.value("--config", null);
        m.configCerts = o.has("--config-certs") ? o.values("--config-certs") : null;
        m.socket = o.value("--socket", null);
        m.register = o.has("--register");
        m.tosAgreed = o.has("--tos-agreed");
        m.deactivate = o.has("--deactivate");
        if (o.has("--min-days")) {
            long days = o.number("--min-days", 0);
            if (days != (int) days) {
                throw new UsageException("Invalid value for option --min-days: '"
                        + LongOptions.shown(o.value("--min-days", "")) + "' is out of range");
            }
            m.minDays = (int) days;
        }
        m.force = o.has("--force");
        m.json = o.has("--json");
        m.quiet = o.has("--quiet");
        m.debug = o.has("--debug");
        m.help = o.has("--help");
        m.version = o.has("--version");
        m.args = o.operands();
        return m;
    }
}
