package lacme.accountd;

import lacme.common.acme.AcmeRequest.Identifier;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The identifiers a new order may name ({@code identifiers} in lacme-accountd.conf), white
 * space separated: a DNS name matches itself; {@code *.example.org} matches every name
 * strictly below example.org, wildcard identifiers included ({@code *.www.example.org}); an
 * IP address or network ({@code 192.0.2.0/24}, {@code 2001:db8::/32}) matches the {@code ip}
 * identifiers inside it. Names compare case-insensitively without a trailing dot. Any other
 * identifier type is refused. Addresses are parsed as literals only, never resolved.
 */
public final class IdentifierAllowlist {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern LABELS = Pattern.compile("([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*"
            + "[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

    private record Network(byte[] prefix, int bits) {
    }

    private final List<String> names = new ArrayList<>();
    private final List<String> suffixes = new ArrayList<>();
    private final List<Network> networks = new ArrayList<>();

    /** Parses the configured list; a malformed entry is an error naming it. */
    public static IdentifierAllowlist parse(String value) throws AccountdException {
        IdentifierAllowlist a = new IdentifierAllowlist();
        for (String e : value.trim().split("[\\s,]+")) {
            if (e.isEmpty()) {
                continue;
            }
            byte[] ip = literal(e.contains("/") ? e.substring(0, e.indexOf('/')) : e);
            if (ip != null) {
                int bits = ip.length * 8;
                if (e.contains("/")) {
                    try {
                        bits = Integer.parseInt(e.substring(e.indexOf('/') + 1));
                    } catch (NumberFormatException x) {
                        bits = -1;
                    }
                    if (bits < 0 || bits > ip.length * 8) {
                        throw bad(e);
                    }
                }
                a.networks.add(new Network(ip, bits));
            } else if (e.startsWith("*.") && LABELS.matcher(name(e.substring(2))).matches()) {
                a.suffixes.add("." + name(e.substring(2)));
            } else if (LABELS.matcher(name(e)).matches()) {
                a.names.add(name(e));
            } else {
                throw bad(e);
            }
        }
        return a;
    }

    private static AccountdException bad(String entry) {
        return new AccountdException("identifiers: '" + AccountLog.printable(entry)
                + "' is neither a DNS name, *.name, nor an IP address or network");
    }

    private static String name(String s) {
        String n = s.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** The address bytes of an IPv4 or IPv6 literal, or null (never a DNS lookup). */
    static byte[] literal(String s) {
        if (!IPV4.matcher(s).matches() && !IPV6.matcher(s).matches()) {
            return null;
        }
        try {
            byte[] a = InetAddress.getByName(s).getAddress();
            // an IPv4-mapped IPv6 literal is not the IPv4 address it maps (nor its network)
            return s.contains(":") && a.length == 4 ? null : a;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether a new order may name {@code id}. */
    public boolean permits(Identifier id) {
        if ("dns".equals(id.type())) {
            String n = name(id.value());
            if (names.contains(n)) {
                return true;
            }
            for (String s : suffixes) {
                if (n.endsWith(s) && n.length() > s.length()) {
                    return true;
                }
            }
            return false;
        }
        if ("ip".equals(id.type())) {
            byte[] ip = literal(id.value());
            if (ip == null) {
                return false;
            }
            for (Network net : networks) {
                if (net.prefix().length == ip.length && prefix(ip, net.bits()).equals(prefix(net.prefix(), net.bits()))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static BigInteger prefix(byte[] addr, int bits) {
        return new BigInteger(1, addr).shiftRight(addr.length * 8 - bits);
    }
}
