package lacme.common.text;

import java.util.regex.Pattern;

/**
 * The one sanitiser for text that a peer (a child process, the CA) chose and that reaches
 * root's terminal or log: a compromised child must not be able to forge log lines (newlines),
 * drive the terminal (ANSI/OSC escape sequences, other control characters) or reorder what is
 * shown (bidi overrides), nor flood it (length cap).
 */
public final class Sanitize {
    /** ANSI sequences (CSI … final byte, OSC/DCS/PM/APC … BEL or ST, two-byte ESC x), dropped whole. */
    private static final Pattern ESCAPES = Pattern.compile(
            "\\u001b\\[[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?"
            + "|\\u009b[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?"
            + "|[\\u001b][\\]PX^_][^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?"
            + "|[\\u009d\\u0090\\u0098\\u009e\\u009f][^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?"
            + "|\\u001b[\\u0020-\\u007e]?");
    /** Controls (C0, DEL, C1), line/paragraph separators and bidi controls: each run becomes one space. */
    private static final Pattern CONTROLS = Pattern.compile(
            "[\\p{Cntrl}\\u0080-\\u009f\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069]+");

    private Sanitize() {
    }

    /**
     * {@code s} as one printable line: escape sequences removed, every run of other control
     * characters replaced by one space, stripped, and at most {@code max} characters (then
     * cut and marked with "..."). Null stays null.
     */
    public static String line(String s, int max) {
        if (s == null) {
            return null;
        }
        String c = CONTROLS.matcher(ESCAPES.matcher(s).replaceAll("")).replaceAll(" ").strip();
        if (c.length() > max) {
            int end = Character.isLowSurrogate(c.charAt(max)) ? max - 1 : max;
            return c.substring(0, end) + "...";
        }
        return c;
    }
}
