package lacme.master.csr;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code subjectAltName} extension as {@code openssl req} builds it from lacme's setting
 * (see {@link ConfValue} for the syntax): {@code DNS}, {@code IP}, {@code email}, {@code URI}
 * and {@code RID} (dotted OID) entries, {@code TYPE.anything} meaning {@code TYPE}, types
 * case-sensitive; {@code email:copy}/{@code email:move} add nothing (no e-mail in the subject is
 * copied); IP addresses as strict as openssl's (four decimal parts 0–255, or IPv6 without zone).
 * {@code dirName} and {@code otherName} are refused (lacme's generated file has no section they
 * could name; openssl would accept an {@code otherName} — a deliberate difference).
 */
public final class SubjectAltNames {
    private static final Pattern IPV4 = Pattern.compile(
            "\\s*([+-]?\\d{1,9})\\.\\s*([+-]?\\d{1,9})\\.\\s*([+-]?\\d{1,9})\\.\\s*([+-]?\\d{1,9})");

    private SubjectAltNames() {
    }

    /** The extension value, or a {@link CsrException} naming the bad entry. */
    static ParsedExtension parse(String setting) throws CsrException {
        ConfValue v = ConfValue.parse("subjectAltName", setting);
        List<GeneralName> out = new ArrayList<>();
        for (ConfValue.Item it : v.items) {
            String n = it.name();
            String val = it.value();
            if (val == null) {
                throw new CsrException("subjectAltName: missing value for '" + n + "'");
            }
            if (ConfValue.nameIs(n, "email") && (val.equals("copy") || val.equals("move"))) {
                continue;
            } else if (ConfValue.nameIs(n, "email")) {
                out.add(new GeneralName(GeneralName.rfc822Name, Ia5.of(val)));
            } else if (ConfValue.nameIs(n, "URI")) {
                out.add(new GeneralName(GeneralName.uniformResourceIdentifier, Ia5.of(val)));
            } else if (ConfValue.nameIs(n, "DNS")) {
                out.add(new GeneralName(GeneralName.dNSName, Ia5.of(val)));
            } else if (ConfValue.nameIs(n, "RID")) {
                try {
                    out.add(new GeneralName(GeneralName.registeredID, new ASN1ObjectIdentifier(val)));
                } catch (IllegalArgumentException e) {
                    throw new CsrException("subjectAltName: bad object identifier '" + val
                            + "' (dotted form expected)");
                }
            } else if (ConfValue.nameIs(n, "IP")) {
                byte[] ip = ipAddress(val);
                if (ip == null) {
                    throw new CsrException("subjectAltName: bad IP address '" + val + "'");
                }
                out.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip)));
            } else {
                throw new CsrException("subjectAltName: unsupported option '" + n + "'");
            }
        }
        return new ParsedExtension(v.critical, new GeneralNames(out.toArray(new GeneralName[0])));
    }

    /** openssl's a2i_IPADDRESS: the address bytes, or null when openssl would refuse it. */
    public static byte[] ipAddress(String s) {
        if (s.indexOf(':') < 0) {
            Matcher m = IPV4.matcher(s);
            if (!m.matches()) {
                return null;
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int d = Integer.parseInt(m.group(i + 1));
                if (d < 0 || d > 255) {
                    return null;
                }
                b[i] = (byte) d;
            }
            return b;
        }
        if (!s.matches("[0-9A-Fa-f:.]+") || s.contains(":::")) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName("[" + s + "]");
            if (a instanceof Inet6Address) {
                return a.getAddress();
            }
            // Java folds ::ffff:a.b.c.d into an IPv4 address; openssl keeps 16 bytes
            byte[] v4 = a.getAddress();
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(v4, 0, b, 12, 4);
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** A parsed extension value and its criticality. */
    record ParsedExtension(boolean critical, GeneralNames names) {
    }
}
