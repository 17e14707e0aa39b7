package lacme.common.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An INI file read exactly the way Perl's Config::Tiny 2.28 reads lacme's files, so that every
 * configuration written for lacme 0.8.2 is accepted or refused — and means — the same here.
 * The grammar is Config::Tiny's, line by line: lines end at CRLF, CR or LF; a line that is blank
 * or starts (after blanks) with {@code #} or {@code ;} is a comment; {@code " ; text"} (a
 * semicolon between blanks) cuts off the rest of a line; {@code [ name ]} starts a section
 * (name trimmed, a repeated section is merged); {@code key = value} sets a key (both trimmed,
 * split at the first {@code =}, a repeated key wins); keys before any section go to the global
 * section {@value #GLOBAL}; anything else is a syntax error naming the file and the line.
 * <p>
 * This is a port of those five regular expressions (two matched by hand, see below) rather than
 * a configured INI library: ini4j, tried first, also splits keys at {@code :} and cannot be told to honour {@code " ; "}, so
 * {@code socket: x} was accepted where lacme refuses it.
 */
public final class IniFile {
    /** Name of the section that holds keys appearing before any [section] (Config::Tiny's "_"). */
    public static final String GLOBAL = "_";

    // Config::Tiny's regular expressions; DOTALL because Perl's "." only excludes \n, and a
    // line never contains one. \s is ASCII white space in both languages here.
    private static final Pattern LINE_END = Pattern.compile("\r{1,2}\n|\r|\n");
    private static final Pattern COMMENT = Pattern.compile("\\A\\s*(?:#|;|\\z)", Pattern.DOTALL);
    private static final Pattern INLINE_COMMENT = Pattern.compile("\\s;\\s.+\\z", Pattern.DOTALL);
    // The header and property expressions, /^\s*\[\s*(.+?)\s*\]\s*$/ and
    // /^\s*([^=]+?)\s*=\s*(.*?)\s*$/, are matched by hand (header(), property()): in
    // java.util.regex their nested blanks backtrack in cubic time, so one 4 KB line took a
    // minute (found by IniFileFuzzTest). IniFileTest checks the two agree with the regexes.

    private final Map<String, Map<String, String>> sections;

    private IniFile(Map<String, Map<String, String>> sections) {
        this.sections = sections;
    }

    /** Reads a file; errors name the file ("Can't open FILE: reason", or a syntax error). */
    public static IniFile read(Path file) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Can't open " + file + ": No such file or directory");
        } catch (AccessDeniedException e) {
            throw new ConfigException("Can't open " + file + ": Permission denied");
        } catch (IOException e) {
            String m = e.getMessage();
            throw new ConfigException("Can't open " + file + ": "
                    + (Files.isDirectory(file) ? "Is a directory" : m));
        }
        return parse(file.toString(), decode(bytes));
    }

    /** Parses text; {@code name} is used in error messages. */
    public static IniFile parse(String name, Reader text) throws ConfigException {
        StringBuilder b = new StringBuilder();
        char[] buf = new char[8192];
        try {
            for (int n; (n = text.read(buf)) > 0; ) {
                b.append(buf, 0, n);
            }
        } catch (IOException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
        return parse(name, b.toString());
    }

    /** Parses text; {@code name} is used in error messages. */
    public static IniFile parse(String name, String text) throws ConfigException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        String ns = GLOBAL;
        int counter = 0;
        for (String line : LINE_END.split(text, -1)) {
            counter++;
            if (COMMENT.matcher(line).lookingAt()) {
                continue;
            }
            line = INLINE_COMMENT.matcher(line).replaceFirst("");
            String header = header(line);
            if (header != null) {
                ns = header;
                out.computeIfAbsent(ns, k -> new LinkedHashMap<>());
                continue;
            }
            String[] kv = property(line);
            if (kv != null) {
                out.computeIfAbsent(ns, k -> new LinkedHashMap<>()).put(kv[0], kv[1]);
                continue;
            }
            throw new ConfigException(name + ": Syntax error at line " + counter + ": '" + line + "'");
        }
        return new IniFile(out);
    }

    /** {@code \s} of both languages here: ASCII blanks. */
    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    /** {@code s} without leading and trailing blanks. */
    private static String trim(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && blank(s.charAt(a))) {
            a++;
        }
        while (b > a && blank(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    /** What {@code \s*(.+?)\s*} captures of all of {@code s}: trimmed, but never empty (null if s is). */
    private static String group(String s) {
        String t = trim(s);
        return !t.isEmpty() ? t : s.isEmpty() ? null : s.substring(s.length() - 1);
    }

    /** The section name if {@code line} is a {@code [ name ]} header, else null. */
    static String header(String line) {
        String t = trim(line);
        if (t.length() < 2 || t.charAt(0) != '[' || t.charAt(t.length() - 1) != ']') {
            return null;
        }
        return group(t.substring(1, t.length() - 1));
    }

    /** {key, value} if {@code line} is a {@code key = value} line, else null. */
    static String[] property(String line) {
        int eq = line.indexOf('=');
        if (eq < 0) {
            return null;
        }
        String key = group(line.substring(0, eq));
        if (key == null) {
            return null;
        }
        return new String[] {key, trim(line.substring(eq + 1))};
    }

    /**
     * Perl reads bytes; we read UTF-8 and replace what is not (so a Latin-1 comment does not
     * make a file unreadable — Config::Tiny would not mind it either).
     */
    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e); // cannot happen with REPLACE
        }
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
}
