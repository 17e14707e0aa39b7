package lacme.common.json;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser for the documents the suite reads from its peers and the CA.
 * Written here rather than borrowed because every program that reads JSON paid for a
 * general-purpose library's start-up (reflection, type adapters: ~150 classes in the
 * master) to read a few small objects, and because a peer's document deserves the strict
 * reading: no comments, single quotes, unquoted names, NaN, trailing garbage or raw control
 * characters (a lenient reader accepts them); a duplicate member name, a lone surrogate
 * escape or nesting deeper than {@link #MAX_DEPTH} is refused, so two readers can never
 * disagree on what a document says.
 *
 * <p>Values: objects as insertion-ordered maps, arrays as lists, strings, booleans, null,
 * integers that fit as {@link Long}, other numbers as finite {@link Double}.
 */
final class JsonReader {
    /** Deepest nesting of objects and arrays accepted (ACME and control documents use ~4). */
    static final int MAX_DEPTH = 64;
    /**
     * Longest number literal accepted, in characters: no document of the suite needs more
     * than a long's 20, and Gson (the reader before this one) refused integers of about 66.
     */
    static final int MAX_NUMBER = 64;

    private final String s;
    private int pos;
    private int depth;

    private JsonReader(String s) {
        this.s = s;
    }

    /** Parses a whole document that must be an object. */
    static Map<String, Object> parseObject(String text) throws ParseException {
        JsonReader r = new JsonReader(text);
        r.skipBlank();
        if (r.pos >= text.length() || text.charAt(r.pos) != '{') {
            throw r.error("a JSON object expected");
        }
        Map<String, Object> o = r.object();
        r.skipBlank();
        if (r.pos < text.length()) {
            throw r.error("trailing data after the JSON object");
        }
        return o;
    }

    private Object value() throws ParseException {
        if (pos >= s.length()) {
            throw error("unexpected end of the document");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected " + describe(c));
        }
    }

    private Map<String, Object> object() throws ParseException {
        enter();
        pos++; // '{'
        Map<String, Object> o = new LinkedHashMap<>();
        skipBlank();
        if (peek() == '}') {
            pos++;
            depth--;
            return o;
        }
        while (true) {
            skipBlank();
            if (peek() != '"') {
                throw error("a member name expected");
            }
            int at = pos;
            String name = string();
            skipBlank();
            expect(':');
            skipBlank();
            Object v = value();
            if (o.containsKey(name)) {
                pos = at;
                throw error("duplicate member name");
            }
            o.put(name, v);
            skipBlank();
            char c = peek();
            pos++;
            if (c == '}') {
                depth--;
                return o;
            }
            if (c != ',') {
                pos--;
                throw error("',' or '}' expected");
            }
        }
    }

    private List<Object> array() throws ParseException {
        enter();
        pos++; // '['
        List<Object> a = new ArrayList<>();
        skipBlank();
        if (peek() == ']') {
            pos++;
            depth--;
            return a;
        }
        while (true) {
            skipBlank();
            a.add(value());
            skipBlank();
            char c = peek();
            pos++;
            if (c == ']') {
                depth--;
                return a;
            }
            if (c != ',') {
                pos--;
                throw error("',' or ']' expected");
            }
        }
    }

    private void enter() throws ParseException {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private String string() throws ParseException {
        int start = ++pos; // past '"'
        // fast path: no escapes
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '"') {
                return s.substring(start, pos++);
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
            pos++;
        }
        StringBuilder b = new StringBuilder(s.length() - start < 64 ? 16 : 64).append(s, start, pos);
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return b.toString();
            }
            if (c < 0x20) {
                throw error("unescaped " + describe(c) + " in a string");
            }
            if (c != '\\') {
                b.append(c);
                pos++;
                continue;
            }
            pos++;
            char e = peek();
            pos++;
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> unicodeEscape(b);
                default -> {
                    pos--;
                    throw error("invalid escape");
                }
            }
        }
        throw error("unterminated string");
    }

    /** After a backslash-u: one BMP character, or a surrogate pair written as two escapes. */
    private void unicodeEscape(StringBuilder b) throws ParseException {
        char c = hex4();
        if (Character.isLowSurrogate(c)) {
            throw error("lone low surrogate escape");
        }
        b.append(c);
        if (Character.isHighSurrogate(c)) {
            if (!s.startsWith("\\u", pos)) {
                throw error("lone high surrogate escape");
            }
            pos += 2;
            char low = hex4();
            if (!Character.isLowSurrogate(low)) {
                throw error("lone high surrogate escape");
            }
            b.append(low);
        }
    }

    private char hex4() throws ParseException {
        if (pos + 4 > s.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0 || s.charAt(pos + i) > 'f') {
                throw error("invalid \\u escape");
            }
            v = v << 4 | d;
        }
        pos += 4;
        return (char) v;
    }

    private Object number() throws ParseException {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("invalid number");
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("invalid number");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("invalid number");
            }
            digits();
        }
        if (pos - start > MAX_NUMBER) {
            pos = start;
            throw error("number longer than " + MAX_NUMBER + " characters");
        }
        String text = s.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException tooLarge) {
                // a Double below
            }
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            pos = start;
            throw error("number out of range");
        }
        return d;
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) throws ParseException {
        if (!s.startsWith(word, pos)) {
            throw error("unexpected " + describe(s.charAt(pos)));
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) throws ParseException {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        pos++;
    }

    /** The current character, or U+0000 (never valid where it is looked at) at the end. */
    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skipBlank() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** A character as the error message may show it: printable ASCII quoted, else U+XXXX. */
    private static String describe(char c) {
        return c > 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private ParseException error(String what) {
        String where = pos >= s.length() ? "at the end" : "at offset " + pos;
        return new ParseException("Invalid JSON: " + what + " " + where, Math.min(pos, s.length()));
    }
}
