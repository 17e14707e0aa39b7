package lacme.master.config;

import static lacme.common.io.Errno.reason;

import lacme.common.config.ConfigException;
import lacme.common.config.IniFile;
import lacme.common.config.Specifiers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The certificate configuration (lacme-certs.conf, lacme-certs.conf.d/*.conf), merged exactly as
 * lacme 0.8.2 merges it, because a drop-in must issue the same certificates from the same files:
 * <ul>
 * <li>each item is %-expanded, then taken relative to the directory of lacme.conf
 *     ({@code dirname(CONFFILE)/item}) unless it starts with {@code /};</li>
 * <li>an item ending in {@code /} (one slash is stripped) or naming a directory is read as a
 *     directory: its {@code *.conf} entries in byte order, every other entry warned about
 *     ("X has unknown suffix, skipping"); a directory that cannot be opened is an error;</li>
 * <li>a file's default-section keys join the defaults accumulated so far (later files win) and
 *     fill the unset keys of each section read from then on — never of sections already read;</li>
 * <li>a section defined again in a later file replaces the earlier definition;</li>
 * <li>an unknown key in a section is an error naming file, section and key; default-section
 *     keys are not checked (lacme does not check them either).</li>
 * </ul>
 */
public final class CertConf {
    /** Keys a certificate section may have. */
    public static final Set<String> VALID = Set.of("certificate", "certificate-chain", "certificate-key",
            "certificate-key-type", "min-days", "CAfile", "hash", "keyUsage", "subject", "subjectAltName", "tlsfeature",
            "owner", "chown", "mode", "chmod", "notify", "preferred-chain", "challenge", "profile",
            "dns-hook", "dns-hook-user", "dns-hook-timeout");

    /** Perl's {@code sort}: byte order of the UTF-8 encodings. */
    public static final Comparator<String> PERL_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private CertConf() {
    }

    /** The default list when neither --config-certs nor {@code config-certs} is given. */
    public static final List<String> DEFAULT_FILES = List.of("lacme-certs.conf", "lacme-certs.conf.d/");

    /**
     * Loads every section.
     *
     * @param items    the configured files/directories (split, not yet %-expanded)
     * @param confFile the name of lacme.conf as given (relative items are relative to its directory)
     * @return section name → keys (unset keys absent), in lacme's (byte) order of section names
     */
    public static Map<String, Map<String, String>> load(List<String> items, String confFile, Specifiers sp,
                                                        Reporter report) throws ConfigException {
        Map<String, Map<String, String>> conf = new TreeMap<>(PERL_ORDER);
        Map<String, String> defaults = new LinkedHashMap<>();
        List<String> expanded = new ArrayList<>();
        for (String item : items) {
            expanded.add(sp.expand(item));
        }
        for (String item : expanded) {
            String path = item.startsWith("/") ? item : dirname(confFile) + "/" + item;
            List<String> files = new ArrayList<>();
            boolean dirSyntax = path.endsWith("/");
            if (dirSyntax) {
                path = path.substring(0, path.length() - 1);
            }
            if (dirSyntax || Files.isDirectory(Path.of(path))) {
                if (path.isEmpty()) {
                    throw new ConfigException("opendir(): No such file or directory"); // the item was "/"
                }
                List<String> names = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(path))) {
                    for (Path p : ds) {
                        names.add(p.getFileName().toString());
                    }
                } catch (IOException e) {
                    throw new ConfigException("opendir(" + path + "): " + reason(e));
                }
                for (String n : names) {
                    if (n.endsWith(".conf")) {
                        files.add(path + "/" + n);
                    } else {
                        report.warn(path + "/" + n + " has unknown suffix, skipping");
                    }
                }
            } else {
                files.add(path);
            }
            files.sort(PERL_ORDER);
            for (String f : files) {
                report.debug("Reading " + f);
                IniFile ini = IniFile.read(Path.of(f));
                defaults.putAll(ini.section(IniFile.GLOBAL));
                for (String s : ini.sectionNames()) {
                    if (s.equals(IniFile.GLOBAL)) {
                        continue;
                    }
                    Map<String, String> keys = ini.section(s);
                    Set<String> unknown = new TreeSet<>(keys.keySet());
                    unknown.removeAll(VALID);
                    if (!unknown.isEmpty()) {
                        throw new ConfigException(f + ": Unknown option(s) in [" + s + "]: "
                                + String.join(", ", unknown));
                    }
                    Map<String, String> merged = new TreeMap<>(PERL_ORDER);
                    merged.putAll(keys);
                    defaults.forEach(merged::putIfAbsent);
                    conf.put(s, merged);
                }
            }
        }
        return conf;
    }

    /** Perl's File::Basename::dirname for Unix paths. */
    public static String dirname(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        if (slash < 0) {
            return ".";
        }
        String d = p.substring(0, slash);
        while (d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d.isEmpty() ? "/" : d;
    }
}
