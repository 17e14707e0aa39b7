package lacme.accountd;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of lacme-accountd 0.8.2 (GNU style: {@code --opt=value} or
 * {@code --opt value}, bundled short options, no abbreviations, the last of a repeated
 * option wins), parsed by picocli so that we carry no hand-written option parser.
 */
@Command(name = "lacme-accountd", versionProvider = AccountdOptions.Version.class,
        description = "Account key manager of lacme: signs ACME requests with the account key.",
        footer = "Consult the lacme-accountd(1) manpage for more information.")
public final class AccountdOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "configuration file (default %%E/lacme/lacme-accountd.conf)")
    String config;

    @Option(names = "--privkey", paramLabel = "ARG", description = "account key: file:FILE or gpg:FILE")
    String privkey;

    @Option(names = "--socket", paramLabel = "PATH", description = "UNIX socket to listen on (default %%t/S.lacme)")
    String socket;

    @Option(names = "--stdio", description = "serve one session on stdin/stdout (used by lacme)")
    boolean stdio;

    @Option(names = "--allow", paramLabel = "LIST",
            description = "also sign these requests (key-change, deactivation; overrides 'allow')")
    String allow;

    @Option(names = {"-q", "--quiet"}, description = "be quiet")
    boolean quiet;

    @Option(names = "--debug", description = "turn on debug mode")
    boolean debug;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "display this help and exit")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "display the version and exit")
    boolean version;

    /** Parses {@code args}; a usage error is a {@link CommandLine.ParameterException}. */
    static CommandLine parse(AccountdOptions into, String... args) {
        CommandLine cl = new CommandLine(into);
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExpandAtFiles(false);
        cl.setPosixClusteredShortOptionsAllowed(true);
        cl.setAbbreviatedOptionsAllowed(false);
        cl.parseArgs(args);
        return cl;
    }

    /** picocli's hook for --version. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lacme-accountd (lacme for Java) " + lacme.common.Version.VERSION,
                "protocol version " + lacme.common.proto.AccountdCodec.VERSION};
        }
    }
}
