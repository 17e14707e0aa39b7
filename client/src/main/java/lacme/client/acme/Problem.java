package lacme.client.acme;

import lacme.common.json.Json;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A problem document (RFC 7807; ACME types in RFC 8555 §6.7). Kept as a value so the
 * error that reaches the operator carries the CA's own words: its type, its detail, and
 * the per-identifier subproblems of a multi-name order. Every string comes from the
 * network, so {@link #toOneLine()} strips control characters and bounds the length.
 */
public final class Problem {
    /** Prefix of the ACME error namespace. */
    public static final String ACME_PREFIX = "urn:ietf:params:acme:error:";
    private static final int MAX_TEXT = 1000;
    /** C0 and C1 controls (a C1 CSI acts like ESC [ on some terminals), line separators, bidi marks. */
    private static final Pattern CONTROLS =
            Pattern.compile("[\\p{Cc}\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069]+");

    private final String type;
    private final String title;
    private final String detail;
    private final Integer status;
    private final String instance;
    private final String identifier;
    private final List<Problem> subproblems;

    private Problem(String type, String title, String detail, Integer status, String instance,
            String identifier, List<Problem> subproblems) {
        this.type = type == null ? "about:blank" : type;
        this.title = title;
        this.detail = detail;
        this.status = status;
        this.instance = instance;
        this.identifier = identifier;
        this.subproblems = subproblems;
    }

    /** Parses a problem object, leniently: a member of the wrong type is ignored. */
    public static Problem parse(Map<String, Object> o) {
        List<Problem> subs = new ArrayList<>();
        Object s = o.get("subproblems");
        if (s instanceof List) {
            for (Object e : (List<?>) s) {
                if (e instanceof Map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) e;
                    subs.add(parse(m));
                }
            }
        }
        String ident = null;
        Object id = o.get("identifier");
        if (id instanceof Map) {
            Object t = ((Map<?, ?>) id).get("type");
            Object v = ((Map<?, ?>) id).get("value");
            ident = (t instanceof String ? t : "?") + ":" + (v instanceof String ? v : "?");
        }
        Object st = o.get("status");
        return new Problem(str(o, "type"), str(o, "title"), str(o, "detail"),
                st instanceof Number ? ((Number) st).intValue() : null, str(o, "instance"), ident, subs);
    }

    /** Parses the body of an {@code application/problem+json} response. */
    public static Problem parse(String json) throws ParseException {
        return parse(Json.parseObject(json));
    }

    private static String str(Map<String, Object> o, String k) {
        Object v = o.get(k);
        return v instanceof String ? (String) v : null;
    }

    /** The full type URI, {@code about:blank} when absent. */
    public String type() {
        return type;
    }

    /** The type without the ACME namespace prefix ({@code badNonce}), or the full type. */
    public String shortType() {
        return type.startsWith(ACME_PREFIX) ? type.substring(ACME_PREFIX.length()) : type;
    }

    /** True when this is the ACME error {@code name}. */
    public boolean is(String name) {
        return type.equals(ACME_PREFIX + name);
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    public Integer status() {
        return status;
    }

    public String instance() {
        return instance;
    }

    /** {@code type:value} of the identifier a subproblem is about, or null. */
    public String identifier() {
        return identifier;
    }

    public List<Problem> subproblems() {
        return subproblems;
    }

    /**
     * One line for the operator: {@code <type>: <detail> [HTTP status]}, then the
     * subproblems as {@code [dns:name: <type>: <detail>]}.
     */
    public String toOneLine() {
        StringBuilder sb = new StringBuilder(clean(type));
        String text = detail != null ? detail : title;
        if (text != null) {
            sb.append(": ").append(clean(text));
        }
        if (status != null) {
            sb.append(" (HTTP ").append(status).append(')');
        }
        for (Problem p : subproblems) {
            sb.append(" [");
            if (p.identifier != null) {
                sb.append(clean(p.identifier)).append(": ");
            }
            sb.append(p.toOneLine()).append(']');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return toOneLine();
    }

    /**
     * {@code s} without control, line-separator and bidi-override characters (each run
     * becomes one space), at most 1000 chars: safe to print on one terminal line.
     */
    public static String clean(String s) {
        String c = CONTROLS.matcher(s).replaceAll(" ").strip();
        return c.length() > MAX_TEXT ? c.substring(0, MAX_TEXT) + "..." : c;
    }
}
