package lacme.common.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * Compact JSON output of maps, collections, strings, numbers, booleans and null: the
 * counterpart of {@link JsonReader}. Strings escape what RFC 8259 requires plus U+2028 and
 * U+2029 (line separators to JavaScript), nothing else, so output stays byte-for-byte what
 * the suite wrote before with Nimbus' writer. Anything else is a programming error
 * ({@link IllegalArgumentException}), never a silently stringified object.
 */
final class JsonWriter {
    private JsonWriter() {
    }

    static String write(Map<String, ?> object) {
        StringBuilder b = new StringBuilder(128);
        value(b, object, 0);
        return b.toString();
    }

    private static void value(StringBuilder b, Object v, int depth) {
        if (depth > JsonReader.MAX_DEPTH) {
            throw new IllegalArgumentException("JSON nested deeper than " + JsonReader.MAX_DEPTH + " levels");
        }
        if (v == null) {
            b.append("null");
        } else if (v instanceof String str) {
            string(b, str);
        } else if (v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger || v instanceof BigDecimal) {
            b.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no " + d);
            }
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                string(b, String.valueOf(e.getKey()));
                b.append(':');
                value(b, e.getValue(), depth + 1);
            }
            b.append('}');
        } else if (v instanceof Collection<?> c) {
            b.append('[');
            boolean first = true;
            for (Object e : c) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                value(b, e, depth + 1);
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        int done = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc;
            if (c == '"') {
                esc = "\\\"";
            } else if (c == '\\') {
                esc = "\\\\";
            } else if (c >= 0x20 && c != '\u2028' && c != '\u2029') {
                continue;
            } else {
                esc = switch (c) {
                    case '\t' -> "\\t";
                    case '\b' -> "\\b";
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    case '\f' -> "\\f";
                    default -> String.format("\\u%04x", (int) c);
                };
            }
            b.append(s, done, i).append(esc);
            done = i + 1;
        }
        b.append(s, done, s.length()).append('"');
    }
}
