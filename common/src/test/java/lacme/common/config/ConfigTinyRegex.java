package lacme.common.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Config::Tiny's header and property expressions as regular expressions: the reference that
 * IniFile's hand-written matchers (linear time) must agree with.
 */
final class ConfigTinyRegex {
    private static final Pattern HEADER = Pattern.compile("\\A\\s*\\[\\s*(.+?)\\s*\\]\\s*\\z", Pattern.DOTALL);
    private static final Pattern PROPERTY = Pattern.compile("\\A\\s*([^=]+?)\\s*=\\s*(.*?)\\s*\\z", Pattern.DOTALL);

    private ConfigTinyRegex() {
    }

    static String header(String line) {
        Matcher m = HEADER.matcher(line);
        return m.matches() ? m.group(1) : null;
    }

    static String[] property(String line) {
        Matcher m = PROPERTY.matcher(line);
        return m.matches() ? new String[] {m.group(1), m.group(2)} : null;
    }
}
