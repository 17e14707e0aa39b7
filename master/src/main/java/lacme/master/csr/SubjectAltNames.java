package lacme.master.csr;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A subjectAltName value in OpenSSL's syntax ({@code DNS:a.example, IP:192.0.2.1}) — what
 * goes into the CSR and which ACME identifiers the order asks for.
 */
public final class SubjectAltNames {
    /** A domain name as lacme accepts it: at least two LDH labels. */
    public static final Pattern DOMAIN = Pattern.compile(
            "(?i)[0-9a-z](?:[0-9a-z-]{0,61}[0-9a-z])?(?:\\.[0-9a-z](?:[0-9a-z-]{0,61}[0-9a-z])?)+");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(?:\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** One name: type "dns" or "ip" (ACME identifier types) and its value. */
    public record Name(String type, String value) {
    }

    private final List<Name> names;

    private SubjectAltNames(List<Name> names) {
        this.names = names;
    }

    /** Parses the value; an entry of another type or an invalid IP address is an error naming it. */
    public static SubjectAltNames parse(String value) {
        List<Name> out = new ArrayList<>();
        for (String raw : value.split(",")) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.indexOf(':');
            String type = colon < 0 ? "" : e.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            String v = colon < 0 ? "" : e.substring(colon + 1).trim();
            if (type.equals("DNS") && !v.isEmpty()) {
                out.add(new Name("dns", v));
            } else if (type.equals("IP") && (IPV4.matcher(v).matches() || IPV6.matcher(v).matches())) {
                try {
                    out.add(new Name("ip", InetAddress.getByName(v).getHostAddress()));
                } catch (UnknownHostException ex) {
                    throw new IllegalArgumentException("subjectAltName: invalid IP address '" + v + "'");
                }
            } else {
                throw new IllegalArgumentException("subjectAltName: unsupported entry '" + e + "' (DNS:name or IP:address)");
            }
        }
        return new SubjectAltNames(out);
    }

    public List<Name> names() {
        return names;
    }

    GeneralNames toGeneralNames() {
        GeneralName[] g = new GeneralName[names.size()];
        for (int i = 0; i < g.length; i++) {
            Name n = names.get(i);
            g[i] = new GeneralName(n.type().equals("dns") ? GeneralName.dNSName : GeneralName.iPAddress, n.value());
        }
        return new GeneralNames(g);
    }
}
