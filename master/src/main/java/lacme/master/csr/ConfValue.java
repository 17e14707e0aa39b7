package lacme.master.csr;

import java.util.ArrayList;
import java.util.List;

/**
 * An X.509v3 extension value as {@code openssl req} reads it from the configuration file lacme
 * generates ({@code keyUsage = critical, VALUE}, {@code subjectAltName = VALUE},
 * {@code tlsfeature = VALUE}). Two parsers stand between lacme.conf and the extension, and both
 * are reproduced here so the same settings give the same CSR or the same failure:
 * <ol>
 * <li>openssl's configuration syntax ({@code conf_def.c}): an unquoted, unescaped {@code #}
 *     starts a comment; {@code '…'} and {@code "…"} quote; a backslash escapes ({@code \n},
 *     {@code \r}, {@code \b}, {@code \t} are control characters); surrounding blanks go.
 *     {@code $name} is a variable reference; lacme's generated file defines none a user would
 *     mean, so any {@code $} is refused here (openssl would refuse all but a few names);</li>
 * <li>{@code X509V3_parse_list}: an optional {@code critical,} prefix, then a comma-separated
 *     list of {@code name[:value]} items, blanks around names and values stripped; an empty name
 *     or an empty value after {@code :} is an error.</li>
 * </ol>
 */
final class ConfValue {
    /** One list item; {@code value} is null when the item had no {@code :}. */
    record Item(String name, String value) {
    }

    final boolean critical;
    final List<Item> items;

    private ConfValue(boolean critical, List<Item> items) {
        this.critical = critical;
        this.items = items;
    }

    /**
     * Parses the right-hand side of a generated configuration line.
     *
     * @param key the lacme setting, for messages
     */
    static ConfValue parse(String key, String line) throws CsrException {
        String v = confString(key, line);
        boolean critical = false;
        if (v.startsWith("critical,")) {
            critical = true;
            v = v.substring(9).stripLeading();
        }
        if (v.startsWith("DER:") || v.startsWith("ASN1:")) {
            throw new CsrException(key + ": raw DER:/ASN1: values are not supported");
        }
        return new ConfValue(critical, parseList(key, v));
    }

    private static boolean ws(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** openssl's clear_comments, value trimming and str_copy. */
    static String confString(String key, String raw) throws CsrException {
        // clear_comments: cut at the first # outside quotes and escapes
        int end = raw.length();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '#') {
                end = i;
                break;
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < raw.length() && raw.charAt(i) != c) {
                    if (raw.charAt(i) == '\\') {
                        i++;
                    }
                    i++;
                }
            } else if (c == '\\') {
                i++;
            }
        }
        String s = raw.substring(0, Math.min(end, raw.length()));
        int a = 0;
        int b = s.length();
        while (a < b && ws(s.charAt(a))) {
            a++;
        }
        while (b > a && ws(s.charAt(b - 1))) {
            b--;
        }
        s = s.substring(a, b);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                i++;
                while (i < s.length() && s.charAt(i) != c) {
                    if (s.charAt(i) == '\\') {
                        i++;
                        if (i >= s.length()) {
                            break;
                        }
                    }
                    out.append(s.charAt(i++));
                }
                if (i < s.length()) {
                    i++; // the closing quote
                }
            } else if (c == '\\') {
                i++;
                if (i >= s.length()) {
                    break;
                }
                char e = s.charAt(i++);
                out.append(e == 'r' ? '\r' : e == 'n' ? '\n' : e == 'b' ? '\b' : e == 't' ? '\t' : e);
            } else if (c == '$') {
                throw new CsrException(key + ": variable references ($) are not supported");
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String strip(String s) {
        return s.strip().isEmpty() ? null : s.strip();
    }

    /** X509V3_parse_list; parsing stops at a CR or LF as in openssl. */
    static List<Item> parseList(String key, String line) throws CsrException {
        int cut = line.length();
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '\r' || line.charAt(i) == '\n') {
                cut = i;
                break;
            }
        }
        String l = line.substring(0, cut);
        List<Item> out = new ArrayList<>();
        boolean inValue = false;
        String name = null;
        int q = 0;
        for (int p = 0; p < l.length(); p++) {
            char c = l.charAt(p);
            if (!inValue && c == ':') {
                name = strip(l.substring(q, p));
                if (name == null) {
                    throw new CsrException(key + ": invalid empty name");
                }
                inValue = true;
                q = p + 1;
            } else if (!inValue && c == ',') {
                String n = strip(l.substring(q, p));
                if (n == null) {
                    throw new CsrException(key + ": invalid empty name");
                }
                out.add(new Item(n, null));
                q = p + 1;
            } else if (inValue && c == ',') {
                String v = strip(l.substring(q, p));
                if (v == null) {
                    throw new CsrException(key + ": invalid null value for '" + name + "'");
                }
                out.add(new Item(name, v));
                inValue = false;
                q = p + 1;
            }
        }
        if (inValue) {
            String v = strip(l.substring(q));
            if (v == null) {
                throw new CsrException(key + ": invalid null value for '" + name + "'");
            }
            out.add(new Item(name, v));
        } else {
            String n = strip(l.substring(q));
            if (n == null) {
                throw new CsrException(key + ": invalid empty name");
            }
            out.add(new Item(n, null));
        }
        return out;
    }

    /** openssl's ossl_v3_name_cmp: {@code name} is {@code type} or {@code type.anything}. */
    static boolean nameIs(String name, String type) {
        return name.equals(type) || name.startsWith(type + ".");
    }
}
