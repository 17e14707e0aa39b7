package lacme.common.json;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON reading and writing for the suite's own documents: control frames, accountd's
 * greeting and requests, the CA's responses, the renewal state and {@code status --json}.
 * The reader is strict ({@link JsonReader}); the accessors are strict too: a member of the
 * wrong type is an error, never silently coerced, because every caller reads data from
 * another process or the network. (Nimbus keeps its own JSON for the JWS objects it builds
 * in the client; the master and the webserver no longer carry a JSON library.)
 */
public final class Json {
    private Json() {
    }

    /** Parses a JSON object; anything else (array, scalar, garbage) is a {@link ParseException}. */
    public static Map<String, Object> parseObject(String text) throws ParseException {
        return JsonReader.parseObject(text);
    }

    /** Serializes a map as compact JSON; a value of another type than JSON's is an IllegalArgumentException. */
    public static String write(Map<String, ?> object) {
        return JsonWriter.write(object);
    }

    /** A string member, or null when absent; a non-string value is an error. */
    public static String string(Map<String, Object> o, String key) throws ParseException {
        Object v = o.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String)) {
            throw new ParseException("member '" + key + "' is not a string", 0);
        }
        return (String) v;
    }

    /** A string member that must be present. */
    public static String requireString(Map<String, Object> o, String key) throws ParseException {
        String v = string(o, key);
        if (v == null) {
            throw new ParseException("member '" + key + "' is missing", 0);
        }
        return v;
    }

    /** A boolean member, {@code dflt} when absent. */
    public static boolean bool(Map<String, Object> o, String key, boolean dflt) throws ParseException {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean)) {
            throw new ParseException("member '" + key + "' is not a boolean", 0);
        }
        return (Boolean) v;
    }

    /** An integral member, {@code dflt} when absent. */
    public static long integer(Map<String, Object> o, String key, long dflt) throws ParseException {
        Object v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number) || ((Number) v).doubleValue() != Math.rint(((Number) v).doubleValue())) {
            throw new ParseException("member '" + key + "' is not an integer", 0);
        }
        return ((Number) v).longValue();
    }

    /** An object member, or null when absent. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, Object> o, String key) throws ParseException {
        Object v = o.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            throw new ParseException("member '" + key + "' is not an object", 0);
        }
        return (Map<String, Object>) v;
    }

    /** An array member, empty when absent. */
    public static List<Object> array(Map<String, Object> o, String key) throws ParseException {
        Object v = o.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw new ParseException("member '" + key + "' is not an array", 0);
        }
        return new ArrayList<>((List<?>) v);
    }

    /** An array member whose elements must all be strings. */
    public static List<String> strings(Map<String, Object> o, String key) throws ParseException {
        List<String> out = new ArrayList<>();
        for (Object e : array(o, key)) {
            if (!(e instanceof String)) {
                throw new ParseException("member '" + key + "' has a non-string element", 0);
            }
            out.add((String) e);
        }
        return out;
    }

    /** An array member whose elements must all be objects. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> objects(Map<String, Object> o, String key) throws ParseException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object e : array(o, key)) {
            if (!(e instanceof Map)) {
                throw new ParseException("member '" + key + "' has a non-object element", 0);
            }
            out.add((Map<String, Object>) e);
        }
        return out;
    }
}
