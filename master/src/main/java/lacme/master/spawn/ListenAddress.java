package lacme.master.spawn;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code [webserver] listen}: an IPv4 address, a bracketed IPv6 address (each
 * with an optional port, default 80) or an absolute path to a UNIX socket. Host names are
 * refused: the master binds before anything else and never resolves names.
 */
public record ListenAddress(String text, InetSocketAddress inet, String unixPath) {
    private static final Pattern V4 = Pattern.compile("([0-9]+(?:\\.[0-9]+){3})(?::([0-9]+))?");
    private static final Pattern V6 = Pattern.compile("\\[([0-9A-Fa-f:.]{2,39})\\](?::([0-9]+))?");

    /** Parses a comma- or blank-separated list. */
    public static List<ListenAddress> parseList(String value) {
        List<ListenAddress> out = new ArrayList<>();
        for (String a : value.trim().split("[\\s,]+")) {
            if (!a.isEmpty()) {
                out.add(parse(a));
            }
        }
        return out;
    }

    /** Parses one address; {@link IllegalArgumentException} "Invalid address: X" otherwise. */
    public static ListenAddress parse(String a) {
        if (a.startsWith("/")) {
            return new ListenAddress(a, null, a);
        }
        Matcher m4 = V4.matcher(a);
        Matcher m6 = V6.matcher(a);
        try {
            if (m4.matches()) {
                InetAddress ip = InetAddress.getByName(m4.group(1));
                if (ip instanceof Inet4Address && validOctets(m4.group(1))) {
                    return new ListenAddress(a, new InetSocketAddress(ip, port(m4.group(2), a)), null);
                }
            } else if (m6.matches()) {
                InetAddress ip = InetAddress.getByName("[" + m6.group(1) + "]");
                if (ip instanceof Inet6Address || ip instanceof Inet4Address) {
                    return new ListenAddress(a, new InetSocketAddress(ip, port(m6.group(2), a)), null);
                }
            }
        } catch (UnknownHostException | NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("Invalid address: " + a);
    }

    private static boolean validOctets(String s) {
        for (String o : s.split("\\.")) {
            if (o.length() > 3 || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    private static int port(String p, String a) {
        if (p == null) {
            return 80;
        }
        int n = Integer.parseInt(p);
        if (n < 1 || n > 65535) {
            throw new IllegalArgumentException("Invalid address: " + a);
        }
        return n;
    }

    public boolean isUnix() {
        return unixPath != null;
    }
}
