package lacme.common.os;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A listen address as lacme's {@code listen} setting spells it, for the master's
 * {@code [webserver] listen} and the standalone webserver's {@code --listen} alike: an IPv4
 * address, a bracketed IPv6 address, either with an optional {@code :PORT} (default 80; 0
 * lets the kernel pick one, as lacme's bind does), or an absolute path for a UNIX-domain
 * socket. Literals only: never a host name, never DNS, since root binds these before
 * anything else runs.
 *
 * @param text    the address as written (used in messages, so the user recognises it)
 * @param address the parsed socket address
 */
public record ListenAddress(String text, SocketAddress address) {
    private static final Pattern V4 = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d{1,5}))?");
    private static final Pattern V6 = Pattern.compile("\\[([0-9A-Fa-f:.]{2,39})\\](?::(\\d{1,5}))?");
    /**
     * Listen backlog: lacme's 5 lets a handful of idle connections fill the queue while the
     * CA's validation requests arrive; 511 is the usual server default (nginx, Apache).
     */
    public static final int BACKLOG = 511;

    /** Parses a comma- or blank-separated list (lacme's {@code listen} value). */
    public static List<ListenAddress> parseList(String value) {
        return parseList(value, 80);
    }

    /** As {@link #parseList(String)} with another default port (443 for {@code listen-tls}). */
    public static List<ListenAddress> parseList(String value, int defaultPort) {
        List<ListenAddress> out = new ArrayList<>();
        for (String a : value.trim().split("[\\s,]+")) {
            if (!a.isEmpty()) {
                out.add(parse(a, defaultPort));
            }
        }
        return out;
    }

    /** Parses one address; {@link IllegalArgumentException} "Invalid address: X" otherwise. */
    public static ListenAddress parse(String s) {
        return parse(s, 80);
    }

    /** As {@link #parse(String)} with another default port. */
    public static ListenAddress parse(String s, int defaultPort) {
        if (s.startsWith("/")) {
            return new ListenAddress(s, UnixDomainSocketAddress.of(s));
        }
        try {
            Matcher m = V4.matcher(s);
            if (m.matches()) {
                String[] q = m.group(1).split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(q[i]);
                    if (v > 255) {
                        throw new IllegalArgumentException("Invalid address: " + s);
                    }
                    b[i] = (byte) v;
                }
                return new ListenAddress(s, new InetSocketAddress(InetAddress.getByAddress(b), port(m, s, defaultPort)));
            }
            m = V6.matcher(s);
            if (m.matches()) {
                // bracketed: InetAddress parses it as a literal or fails, no DNS look-up
                InetAddress a = InetAddress.getByName("[" + m.group(1) + "]");
                return new ListenAddress(s, new InetSocketAddress(a, port(m, s, defaultPort)));
            }
        } catch (UnknownHostException e) {
            // fall through
        }
        throw new IllegalArgumentException("Invalid address: " + s);
    }

    private static int port(Matcher m, String s, int defaultPort) {
        int p = m.group(2) == null ? defaultPort : Integer.parseInt(m.group(2));
        if (p > 65535) {
            throw new IllegalArgumentException("Invalid address: " + s);
        }
        return p;
    }

    /** The socket file, for a UNIX-domain address; else null. */
    public Path unixPath() {
        return address instanceof UnixDomainSocketAddress u ? u.getPath() : null;
    }

    /** The IP address and port; null for a UNIX-domain address. */
    public InetSocketAddress inet() {
        return address instanceof InetSocketAddress i ? i : null;
    }

    public boolean isUnix() {
        return unixPath() != null;
    }

    /**
     * Binds and listens with {@link #BACKLOG}. An IPv4 address gets an IPv4 socket, an IPv6
     * one the JDK's dual-stack IPv6 socket (so {@code [::]} also accepts IPv4, as lacme's).
     * A UNIX-domain socket is never bound over an existing file (bind(2) refuses, so
     * {@code listen = /etc/passwd} cannot delete anything) and is made connectable by anyone
     * (mode 0666, as lacme's umask 0111), since the proxy in front of it runs as another user.
     * The caller removes the socket file once done.
     */
    public ServerSocketChannel bind() throws IOException {
        ServerSocketChannel ch;
        if (address instanceof InetSocketAddress i) {
            ch = ServerSocketChannel.open(i.getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        } else {
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        }
        boolean bound = false;
        try {
            ch.bind(address, BACKLOG);
            bound = true;
            if (isUnix()) {
                Files.setPosixFilePermissions(unixPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
            }
            return ch;
        } catch (IOException e) {
            ch.close();
            if (bound && isUnix()) {
                Files.deleteIfExists(unixPath());
            }
            throw new IOException("Couldn't bind to " + text + ": " + e.getMessage(), e);
        }
    }

    /** A socket address as {@code 1.2.3.4:80}, {@code [::1]:80} or the socket path. */
    public static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String h = i.getAddress().getHostAddress();
            return (h.contains(":") ? "[" + h + "]" : h) + ":" + i.getPort();
        }
        return a instanceof UnixDomainSocketAddress u ? u.getPath().toString() : String.valueOf(a);
    }

    @Override
    public String toString() {
        return describe(address);
    }
}
