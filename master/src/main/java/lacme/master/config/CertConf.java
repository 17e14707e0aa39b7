package lacme.master.config;

import lacme.common.config.ConfigException;
import lacme.common.config.IniFile;
import lacme.common.config.Specifiers;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The certificate configuration (lacme-certs.conf and lacme-certs.conf.d/*.conf), merged as
 * lacme 0.8.2 merges it: files in the order given, a directory's {@code .conf} files in
 * lexicographic order (other names warned about and skipped), default-section keys
 * accumulating across files and filling unset keys of the sections read so far, a section
 * defined again replacing the earlier one.
 */
public final class CertConf {
    /** Keys a certificate section may have. */
    public static final Set<String> VALID = Set.of("certificate", "certificate-chain", "certificate-key",
            "min-days", "CAfile", "hash", "keyUsage", "subject", "subjectAltName", "tlsfeature",
            "owner", "chown", "mode", "chmod", "notify");

    private CertConf() {
    }

    /**
     * Loads every section.
     *
     * @param specs   the configured file/directory names (already split), relative to confDir
     * @return section name → keys, sorted by section name
     */
    public static Map<String, Map<String, String>> load(List<String> specs, Path confDir, Specifiers sp,
                                                        Logger log) throws ConfigException {
        Map<String, Map<String, String>> conf = new TreeMap<>();
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String spec : specs) {
            String expanded = sp.expand(spec);
            boolean dirSyntax = expanded.endsWith("/");
            Path p = expanded.startsWith("/") ? Path.of(expanded) : confDir.resolve(expanded);
            List<Path> files = new ArrayList<>();
            if (dirSyntax || Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    for (Path f : (Iterable<Path>) s::iterator) {
                        if (f.getFileName().toString().endsWith(".conf")) {
                            files.add(f);
                        } else {
                            log.warn("{} has unknown suffix, skipping", f);
                        }
                    }
                } catch (IOException e) {
                    throw new ConfigException("opendir(" + p + "): " + reason(e));
                }
                Collections.sort(files, (a, b) -> a.toString().compareTo(b.toString()));
            } else {
                files.add(p);
            }
            for (Path f : files) {
                IniFile ini = IniFile.read(f);
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
                    for (var d : defaults.entrySet()) {
                        keys.putIfAbsent(d.getKey(), d.getValue());
                    }
                    conf.put(s, keys);
                }
            }
        }
        return conf;
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage();
    }
}
