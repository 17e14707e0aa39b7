package lacme.master.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers in configuration values read as lacme (Perl) reads them: leading blanks, sign,
 * decimals and exponent, then anything ("abc" is 0, "7days" is 7, "" is 0, "inf" and "nan" as
 * Perl spells them), and whether Perl would warn that a value "isn't numeric". The section's
 * {@code min-days} is the one such value ({@link lacme.master.renew.RenewalPlanner}).
 */
public final class PerlNumbers {
    private static final Pattern NUMBER = Pattern.compile(
            "[ \\t\\n\\r\\f\\x0B]*([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");
    private static final Pattern INFNAN = Pattern.compile(
            "[ \\t\\n\\r\\f\\x0B]*([+-]?)(inf(?:inity)?|nan)", Pattern.CASE_INSENSITIVE);

    private PerlNumbers() {
    }

    /** Perl's numification of a string. */
    public static double numify(String s) {
        Matcher m = NUMBER.matcher(s);
        if (m.lookingAt()) {
            return Double.parseDouble(m.group(1));
        }
        m = INFNAN.matcher(s);
        if (m.lookingAt()) {
            if (m.group(2).toLowerCase(Locale.ROOT).equals("nan")) {
                return Double.NaN;
            }
            return m.group(1).equals("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return 0;
    }

    /** Perl's looks_like_number (no warning when used as a number). */
    public static boolean isNumeric(String s) {
        String t = s.replaceFirst("[ \\t\\n\\r\\f\\x0B]+\\z", "");
        Matcher m = NUMBER.matcher(t);
        if (m.matches()) {
            return true;
        }
        return INFNAN.matcher(t).matches();
    }
}
