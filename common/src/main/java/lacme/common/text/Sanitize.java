package lacme.common.text;

import java.util.regex.Pattern;

/**
 * The one sanitiser for text that a peer (a child process, the CA) chose and that reaches
 * root's terminal or log: a compromised child must not be able to forge log lines (newlines),
 * drive the terminal (ANSI/OSC escape sequences, other control characters) or reorder what is
 * shown (bidi overrides), nor flood it (length cap).
 */
public final class Sanitize {
    /**
     * Controls (C0 with ESC, DEL, C1 with CSI/OSC), line/paragraph separators and bidi controls:
     * each run becomes one space. An ANSI escape sequence without its introducer is inert text.
     */
    private static final Pattern CONTROLS = Pattern.compile(
            "[\\p{Cntrl}\\u0080-\\u009f\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069]+");

    private Sanitize() {
    }

    /**
     * {@code s} as one printable line: every run of control characters replaced by one space
     * (so escape sequences lose their introducer), stripped, and at most {@code max} characters
     * (then cut and marked with "..."). Null stays null.
     */
    public static String line(String s, int max) {
        if (s == null) {
            return null;
        }
        String c = CONTROLS.matcher(s).replaceAll(" ").strip();
        if (c.length() > max) {
            int end = Character.isLowSurrogate(c.charAt(max)) ? max - 1 : max;
            return c.substring(0, end) + "...";
        }
        return c;
    }
}
