package lacme.master.config;

import lacme.common.config.ConfigException;
import lacme.common.config.IniFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * lacme.conf: the default section ({@code config-certs}) and {@code [client]},
 * {@code [webserver]}, {@code [accountd]} with lacme 0.8.2's keys and defaults. Unknown keys
 * and sections are errors that name them, as in lacme, so a typo never silently falls back
 * to a default. {@code [accountd]} being present (and no --socket) means: spawn accountd.
 */
public final class LacmeConf {
    private final Path file;
    private final Map<String, String> defaults;
    private final Map<String, String> client;
    private final Map<String, String> webserver;
    private final Map<String, String> accountd; // null: connect to the socket

    private LacmeConf(Path file, Map<String, String> defaults, Map<String, String> client,
                      Map<String, String> webserver, Map<String, String> accountd) {
        this.file = file;
        this.defaults = defaults;
        this.client = client;
        this.webserver = webserver;
        this.accountd = accountd;
    }

    /** Default keys of each section; {@code null} values mean "unset" (lacme's undef). */
    static Map<String, Map<String, String>> validKeys(Path prefix) {
        Map<String, Map<String, String>> v = new LinkedHashMap<>();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("socket", "%t/S.lacme");
        c.put("user", "_lacme-client");
        c.put("group", "nogroup");
        c.put("command", prefix.resolve("libexec/lacme/client").toString());
        for (String k : List.of("server", "timeout", "SSL_verify", "SSL_version", "SSL_cipher_list", "SSL_ca_file",
                "max-parallel")) {
            c.put(k, null);
        }
        v.put("client", c);
        Map<String, String> w = new LinkedHashMap<>();
        w.put("listen", "/run/lacme-www.socket");
        w.put("listen-tls", ""); // not in lacme: tls-alpn-01 responder addresses (Webservers)
        w.put("challenge-directory", null);
        w.put("user", "_lacme-www");
        w.put("group", "nogroup");
        w.put("command", prefix.resolve("libexec/lacme/webserver").toString());
        w.put("iptables", "No");
        v.put("webserver", w);
        Map<String, String> a = new LinkedHashMap<>();
        a.put("user", "");
        a.put("group", "");
        a.put("command", prefix.resolve("bin/lacme-accountd").toString());
        a.put("config", "");
        a.put("privkey", "");
        a.put("quiet", "Yes");
        v.put("accountd", a);
        return v;
    }

    /**
     * Reads and validates lacme.conf.
     *
     * @param prefix     installation prefix (/usr when installed), for the default commands
     * @param haveSocket true when --socket was given (then [accountd] is ignored)
     */
    public static LacmeConf read(Path file, Path prefix, boolean haveSocket) throws ConfigException {
        IniFile ini = IniFile.read(file);
        Map<String, Map<String, String>> valid = validKeys(prefix);
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (var e : valid.entrySet()) {
            Map<String, String> given = ini.section(e.getKey());
            Map<String, String> merged = new LinkedHashMap<>();
            for (var d : e.getValue().entrySet()) {
                String v = given.remove(d.getKey());
                merged.put(d.getKey(), v != null ? v : d.getValue());
            }
            if (!given.isEmpty()) {
                throw new ConfigException(file + ": Unknown option(s) in [" + e.getKey() + "]: "
                        + String.join(", ", new TreeSet<>(given.keySet())));
            }
            out.put(e.getKey(), merged);
        }
        List<String> invalid = new ArrayList<>();
        for (String s : ini.sectionNames()) {
            if (!s.equals(IniFile.GLOBAL) && !valid.containsKey(s)) {
                invalid.add(s);
            }
        }
        if (!invalid.isEmpty()) {
            throw new ConfigException(file + ": Invalid section(s): " + String.join(", ", invalid));
        }
        boolean spawnAccountd = !haveSocket && ini.has("accountd");
        return new LacmeConf(file, ini.section(IniFile.GLOBAL), out.get("client"), out.get("webserver"),
                spawnAccountd ? out.get("accountd") : null);
    }

    public Path file() {
        return file;
    }

    /**
     * The default section's {@code config-certs} split on white space as lacme splits it (an
     * empty value is an empty list: no certificate file at all), or null when unset.
     */
    public List<String> configCerts() {
        String v = defaults.get("config-certs");
        if (v == null) {
            return null;
        }
        // Perl's split(/\s+/, ...): an empty string gives no field, trailing empty fields go
        return v.isEmpty() ? List.of() : List.of(v.split("\\s+"));
    }

    /** The default section (keys before any [section]). */
    public Map<String, String> defaults() {
        return defaults;
    }

    public Map<String, String> client() {
        return client;
    }

    public Map<String, String> webserver() {
        return webserver;
    }

    /** The [accountd] settings when accountd is to be spawned, else null. */
    public Map<String, String> accountd() {
        return accountd;
    }
}
