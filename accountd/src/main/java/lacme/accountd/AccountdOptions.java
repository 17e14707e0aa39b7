package lacme.accountd;

import lacme.common.cli.LongOptions;

/**
 * The command line of lacme-accountd 0.8.2 (GNU style: {@code --opt=value} or
 * {@code --opt value}, bundled short options, no abbreviations, the last of a repeated
 * option wins, no operands), parsed by {@link LongOptions}: picocli cost each start
 * ~0.1 s of CPU and ~170 classes (issue 12), and lacme starts accountd on every run.
 */
public final class AccountdOptions {
    private static final LongOptions OPTIONS = new LongOptions().value("--config").value("--privkey")
            .value("--socket").flag("--stdio").value("--allow").flag("--quiet", "-q").flag("--debug")
            .flag("--help", "-h").flag("--version").operands(0).lastWins();

    /** What --help prints (stdout, exit 0). */
    static final String HELP = """
            Usage: lacme-accountd [-hq] [--debug] [--stdio] [--version] [--allow=LIST]
                                  [--config=FILE] [--privkey=ARG] [--socket=PATH]
            Account key manager of lacme: signs ACME requests with the account key.
                  --allow=LIST    also sign these requests (key-change, deactivation;
                                    overrides 'allow')
                  --config=FILE   configuration file (default %E/lacme/lacme-accountd.conf)
                  --debug         turn on debug mode
              -h, --help          display this help and exit
                  --privkey=ARG   account key: file:FILE or gpg:FILE
              -q, --quiet         be quiet
                  --socket=PATH   UNIX socket to listen on (default %t/S.lacme)
                  --stdio         serve one session on stdin/stdout (used by lacme)
                  --version       display the version and exit
            Consult the lacme-accountd(1) manpage for more information.
            """;

    /** What --version prints (stdout, exit 0). */
    static final String VERSION = "lacme-accountd (lacme for Java) " + lacme.common.Version.VERSION
            + "\nprotocol version " + lacme.common.proto.AccountdCodec.VERSION + "\n";

    String config;
    String privkey;
    String socket;
    boolean stdio;
    String allow;
    boolean quiet;
    boolean debug;
    boolean help;
    boolean version;

    /** Parses {@code args} into {@code into}; a usage error is a {@link LongOptions.UsageException}. */
    static AccountdOptions parse(AccountdOptions into, String... args) {
        LongOptions.Parsed o = OPTIONS.parse(args);
        into.config = o.value("--config", null);
        into.privkey = o.value("--privkey", null);
        into.socket = o.value("--socket", null);
        into.stdio = o.has("--stdio");
        into.allow = o.value("--allow", null);
        into.quiet = o.has("--quiet");
        into.debug = o.has("--debug");
        into.help = o.has("--help");
        into.version = o.has("--version");
        return into;
    }
}
