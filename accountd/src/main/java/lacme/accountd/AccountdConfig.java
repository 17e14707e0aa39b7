package lacme.accountd;

import lacme.common.config.ConfigException;
import lacme.common.config.IniFile;
import lacme.common.config.Specifiers;

import lacme.common.acme.AcmeRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The effective settings: the command line over lacme-accountd.conf, with lacme 0.8.2's
 * rules &mdash; a missing default file is an empty configuration but a missing
 * {@code --config} file is an error, the file has only global keys ({@code privkey gpg socket
 * logfile keyid quiet}, and ours: {@code allow origin identifiers}, the signing policy), and
 * any other key or section is an error naming it, so that a typo never silently falls back to
 * a default (for the policy keys: never silently signs more than intended).
 */
public final class AccountdConfig {
    /** Where lacme-accountd looks when --config is not given. */
    public static final String DEFAULT_CONFIG = "%E/lacme/lacme-accountd.conf";
    /** Where the socket goes when neither --socket nor {@code socket} is given. */
    public static final String DEFAULT_SOCKET = "%t/S.lacme";
    /** The gpg command when {@code gpg} is not set. */
    public static final String DEFAULT_GPG = "gpg --quiet";

    private static final List<String> KEYS = List.of("privkey", "gpg", "socket", "logfile", "keyid", "quiet",
            "allow", "origin", "identifiers");
    private static final Pattern PRINTABLE = Pattern.compile("\\p{Print}+");

    private AccountdConfig() {
    }

    /**
     * What the rest of the program runs with. {@code privkey} and {@code socket} are not yet
     * %-expanded (the key's file part and the socket are expanded where they are used).
     */
    public record Settings(String privkey, String gpg, String socket, String keyid, boolean quiet,
            boolean debug, boolean stdio, SigningPolicy.Rules rules) {
    }

    /**
     * Reads the configuration file, opens the log file on {@code log} as soon as it is known
     * (so that later configuration errors are logged there too, as lacme does), and merges.
     */
    public static Settings load(AccountdOptions opts, Specifiers spec, AccountLog log)
            throws AccountdException {
        Map<String, String> file = Map.of();
        try {
            Path conf = Path.of(spec.expand(opts.config != null ? opts.config : DEFAULT_CONFIG));
            if (opts.config != null || Files.exists(conf)) {
                log.debug("Using configuration file: " + conf);
                file = read(IniFile.read(conf), spec, log);
            } else {
                log.debug("Ignoring missing configuration file at default location " + conf);
            }
        } catch (ConfigException e) {
            throw new AccountdException(e.getMessage(), e);
        }
        String privkey = opts.privkey != null ? opts.privkey : file.get("privkey");
        if (privkey == null) {
            throw new AccountdException("'privkey' is not specified");
        }
        boolean quiet = opts.quiet || "yes".equals(file.getOrDefault("quiet", "").toLowerCase(Locale.ROOT));
        String keyid = file.getOrDefault("keyid", "");
        String origin = file.getOrDefault("origin", "");
        String ids = file.getOrDefault("identifiers", "");
        SigningPolicy.Rules rules = new SigningPolicy.Rules(
                allowed(opts.allow != null ? "--allow" : "allow", opts.allow != null ? opts.allow
                        : file.getOrDefault("allow", "")),
                origin.isEmpty() ? null : Origin.parse(origin), ids.isBlank() ? null : IdentifierAllowlist.parse(ids));
        return new Settings(privkey, file.getOrDefault("gpg", DEFAULT_GPG),
                opts.socket != null ? opts.socket : file.getOrDefault("socket", DEFAULT_SOCKET),
                keyid.isEmpty() ? null : keyid, quiet, opts.debug, opts.stdio, rules);
    }

    /** The kinds granted by {@code allow} / {@code --allow}: {@code key-change}, {@code deactivation}. */
    static Set<AcmeRequest.Kind> allowed(String where, String value) throws AccountdException {
        Set<AcmeRequest.Kind> out = EnumSet.noneOf(AcmeRequest.Kind.class);
        for (String w : value.trim().split("[\\s,]+")) {
            if (w.isEmpty() || w.equals("none")) {
                continue;
            }
            AcmeRequest.Kind k = SigningPolicy.Rules.GRANTABLE.stream().filter(g -> g.label().equals(w)).findFirst()
                    .orElseThrow(() -> new AccountdException(where + ": unknown request kind '"
                            + AccountLog.printable(w) + "' (key-change, deactivation)"));
            out.add(k);
        }
        return out;
    }

    private static Map<String, String> read(IniFile ini, Specifiers spec, AccountLog log)
            throws ConfigException, AccountdException {
        Map<String, String> global = ini.section(IniFile.GLOBAL);
        String logfile = global.getOrDefault("logfile", "");
        if (!logfile.isEmpty()) {
            logfile = spec.expand(logfile);
            if (!PRINTABLE.matcher(logfile).matches()) {
                throw new AccountdException("Invalid log file name");
            }
            log.openFile(Path.of(logfile));
        }
        List<String> sections = new ArrayList<>();
        for (String s : ini.sectionNames()) {
            if (!IniFile.GLOBAL.equals(s)) {
                sections.add(s);
            }
        }
        if (!sections.isEmpty()) {
            throw new AccountdException("Invalid section(s): " + String.join(", ", sections));
        }
        List<String> unknown = new ArrayList<>(global.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new AccountdException("Unknown option(s): " + String.join(", ", unknown));
        }
        return global;
    }
}
