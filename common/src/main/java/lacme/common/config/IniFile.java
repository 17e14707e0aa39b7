package lacme.common.config;

import org.ini4j.Config;
import org.ini4j.InvalidFileFormatException;
import org.ini4j.spi.IniHandler;
import org.ini4j.spi.IniParser;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An INI file read the way Perl's Config::Tiny reads lacme's files, so configurations
 * written for lacme 0.8.2 mean the same here: keys before any section go to the global
 * section {@value #GLOBAL}; whole-line {@code #}/{@code ;} comments only (a {@code #} inside a
 * value is part of the value); no escapes, no line continuation, no includes; a repeated key
 * or section is merged, the later value winning; any other line is a syntax error naming the
 * file and line. One difference cannot be configured away: ini4j also splits a key at
 * {@code :}, so {@code a:b = c} reads as key {@code a}; no lacme key contains a colon, so a file
 * is accepted or refused exactly when Config::Tiny accepts or refuses it.
 */
public final class IniFile {
    /** Name of the section that holds keys appearing before any [section] (Config::Tiny's "_"). */
    public static final String GLOBAL = "_";

    private final Map<String, Map<String, String>> sections;

    private IniFile(Map<String, Map<String, String>> sections) {
        this.sections = sections;
    }

    /** Reads a file; errors name the file. */
    public static IniFile read(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Can't open " + file + ": No such file or directory");
        } catch (IOException e) {
            throw new ConfigException("Can't open " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), new StringReader(text));
    }

    /** Parses text; {@code name} is used in error messages. */
    public static IniFile parse(String name, Reader text) throws ConfigException {
        Config cfg = new Config();
        cfg.setEscape(false);
        cfg.setEscapeNewline(false);
        cfg.setStrictOperator(true);
        cfg.setEmptyOption(false);
        cfg.setEmptySection(true);
        cfg.setGlobalSection(true);
        cfg.setGlobalSectionName(GLOBAL);
        cfg.setInclude(false);
        cfg.setUnnamedSection(false);
        cfg.setLowerCaseOption(false);
        cfg.setLowerCaseSection(false);
        cfg.setMultiOption(false);
        cfg.setMultiSection(false);
        IniParser parser = IniParser.newInstance(cfg);
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        try {
            parser.parse(text, new Collector(out));
        } catch (InvalidFileFormatException e) {
            throw new ConfigException(name + ": syntax error: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
        return new IniFile(out);
    }

    /** Section names in file order (including {@value #GLOBAL} when present). */
    public Iterable<String> sectionNames() {
        return sections.keySet();
    }

    /** True when the file has that section (even empty). */
    public boolean has(String section) {
        return sections.containsKey(section);
    }

    /** A mutable copy of a section's keys, empty when absent. */
    public Map<String, String> section(String name) {
        Map<String, String> s = sections.get(name);
        return s == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s);
    }

    private static final class Collector implements IniHandler {
        private final Map<String, Map<String, String>> out;
        private Map<String, String> current;

        Collector(Map<String, Map<String, String>> out) {
            this.out = out;
        }

        @Override
        public void startSection(String name) {
            current = out.computeIfAbsent(name, k -> new LinkedHashMap<>());
        }

        @Override
        public void handleOption(String name, String value) {
            current.put(name, value == null ? "" : value);
        }

        @Override
        public void endSection() {
            current = null;
        }

        @Override
        public void startIni() {
        }

        @Override
        public void endIni() {
        }

        @Override
        public void handleComment(String comment) {
        }
    }
}
