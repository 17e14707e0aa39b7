package lacme.webserver;

import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A listen address spelled as lacme's {@code listen} setting spells it: an IPv4 address,
 * a bracketed IPv6 address, either with an optional {@code :PORT} (default 80), or an
 * absolute path for a UNIX-domain socket. Literals only: never a host name, never DNS.
 */
public record ListenAddress(SocketAddress address) {
    private static final Pattern V4 = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d{1,5}))?");
    private static final Pattern V6 = Pattern.compile("\\[([0-9A-Fa-f:.]{2,39})\\](?::(\\d{1,5}))?");
    /** Enough for bursts of connections, well under the usual somaxconn. */
    static final int BACKLOG = 511;

    /** Parses an address; IllegalArgumentException with a message when invalid. */
    public static ListenAddress parse(String s) {
        if (s.startsWith("/")) {
            return new ListenAddress(UnixDomainSocketAddress.of(s));
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
                return new ListenAddress(new InetSocketAddress(InetAddress.getByAddress(b), port(m, s)));
            }
            m = V6.matcher(s);
            if (m.matches()) {
                // bracketed: InetAddress parses it as a literal or fails, no DNS look-up
                InetAddress a = InetAddress.getByName("[" + m.group(1) + "]");
                return new ListenAddress(new InetSocketAddress(a, port(m, s)));
            }
        } catch (UnknownHostException e) {
            // fall through
        }
        throw new IllegalArgumentException("Invalid address: " + s);
    }

    private static int port(Matcher m, String s) {
        int p = m.group(2) == null ? 80 : Integer.parseInt(m.group(2));
        if (p > 65535) {
            throw new IllegalArgumentException("Invalid address: " + s);
        }
        return p;
    }

    /** The socket file, for a UNIX-domain address. */
    public Path unixPath() {
        return address instanceof UnixDomainSocketAddress u ? u.getPath() : null;
    }

    /**
     * Binds and listens. A UNIX-domain socket is made connectable by anyone (mode 0666,
     * as lacme's umask 0111), since the proxy in front of it runs as another user.
     */
    public ServerSocketChannel bind() throws IOException {
        ServerSocketChannel ch;
        if (address instanceof InetSocketAddress i) {
            ch = ServerSocketChannel.open(i.getAddress() instanceof java.net.Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        } else {
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        }
        boolean bound = false;
        try {
            ch.bind(address, BACKLOG);
            bound = true;
            if (unixPath() != null) {
                Files.setPosixFilePermissions(unixPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
            }
            return ch;
        } catch (IOException e) {
            ch.close();
            if (bound && unixPath() != null) {
                Files.deleteIfExists(unixPath());
            }
            throw new IOException("Couldn't bind to " + this + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        if (address instanceof InetSocketAddress i) {
            String a = i.getAddress().getHostAddress();
            return (a.contains(":") ? "[" + a + "]" : a) + ":" + i.getPort();
        }
        return unixPath().toString();
    }
}
