package lacme.master.csr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The identifiers to request authorization for, derived from a section's raw settings exactly
 * as lacme 0.8.2 derives them: the subject's last component if it is {@code CN=<domain>} at the
 * very end, then each {@code subjectAltName} item (split at commas) that starts — after blanks —
 * with {@code DNS:} and whose rest is a domain name (two or more LDH labels), in order, without
 * exact duplicates; any other {@code DNS:} item is warned about and left out ("Ignoring invalid
 * domain"). Beyond lacme, {@code IP:} items that are valid addresses are requested as ACME IP
 * identifiers (lacme ignores them, which made such certificates impossible to obtain), and
 * {@code DNS:*.}<i>domain</i> items are requested as wildcard identifiers (RFC 8555 §7.1.3:
 * {@code *} only as the whole leftmost label), which only dns-01 can validate.
 */
public final class Identifiers {
    private static final String LABEL = "[0-9a-zA-Z](?:[0-9a-zA-Z-]{0,61}[0-9a-zA-Z])?";
    /** lacme's $RE_DOMAIN. */
    public static final Pattern DOMAIN = Pattern.compile(LABEL + "(?:\\." + LABEL + ")+");
    private static final Pattern CN = Pattern.compile("\\A.*/CN=(" + DOMAIN.pattern() + ")\\z", Pattern.DOTALL);
    private static final Pattern DNS = Pattern.compile("\\A\\s*DNS:", Pattern.DOTALL);
    private static final Pattern IP = Pattern.compile("\\A\\s*IP:", Pattern.DOTALL);

    /** One identifier: ACME type ("dns" or "ip") and value. */
    public record Name(String type, String value) {
        // Written out: a record's generated equals/hashCode bootstrap through method handles at
        // their first call, ~20 ms of CPU on every run's critical path (issue 12, profiled).
        @Override
        public boolean equals(Object o) {
            return o instanceof Name n && java.util.Objects.equals(type, n.type)
                    && java.util.Objects.equals(value, n.value);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(type, value);
        }
    }

    private Identifiers() {
    }

    /** {@code *.}<i>domain</i>: a wildcard whose {@code *} is the whole leftmost label, nothing else. */
    public static boolean isWildcard(String value) {
        return value.startsWith("*.") && DOMAIN.matcher(value.substring(2)).matches();
    }

    /**
     * @param conf the section's settings ({@code subject} must be set)
     * @param warn receives "Warning: Ignoring invalid domain X" (without the section prefix)
     */
    public static List<Name> of(Map<String, String> conf, Consumer<String> warn) {
        List<Name> out = new ArrayList<>();
        Matcher m = CN.matcher(conf.get("subject"));
        if (m.matches()) {
            out.add(new Name("dns", m.group(1)));
        }
        String san = conf.get("subjectAltName");
        if (san == null) {
            return out;
        }
        List<Name> ips = new ArrayList<>();
        for (String d : perlSplitComma(san)) {
            Matcher dm = DNS.matcher(d);
            if (dm.lookingAt()) {
                String v = d.substring(dm.end());
                if (DOMAIN.matcher(v).matches() || isWildcard(v)) {
                    Name n = new Name("dns", v);
                    if (!out.contains(n)) {
                        out.add(n);
                    }
                } else {
                    warn.accept("Warning: Ignoring invalid domain " + v);
                }
                continue;
            }
            Matcher im = IP.matcher(d);
            if (im.lookingAt()) {
                byte[] a = SubjectAltNames.ipAddress(d.substring(im.end()).strip());
                if (a != null) {
                    Name n = new Name("ip", ipText(a));
                    if (!ips.contains(n)) {
                        ips.add(n);
                    }
                }
            }
        }
        out.addAll(ips);
        return out;
    }

    /** Perl's split(/,/, s): trailing empty fields are dropped. */
    private static List<String> perlSplitComma(String s) {
        List<String> l = new ArrayList<>(List.of(s.split(",", -1)));
        while (!l.isEmpty() && l.get(l.size() - 1).isEmpty()) {
            l.remove(l.size() - 1);
        }
        return l;
    }

    private static String ipText(byte[] a) {
        try {
            return java.net.InetAddress.getByAddress(a).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
