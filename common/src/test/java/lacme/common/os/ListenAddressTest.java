package lacme.common.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one listen-address grammar and bind, as the master and the webserver both use them. */
class ListenAddressTest {
    @Test
    void parsesLacmeForms() {
        List<ListenAddress> l = ListenAddress.parseList("0.0.0.0:80 [::]:8080, /run/lacme-www.socket,127.0.0.1");
        assertEquals(4, l.size());
        assertEquals(80, l.get(0).inet().getPort());
        assertEquals(8080, l.get(1).inet().getPort());
        assertTrue(l.get(2).isUnix());
        assertEquals(80, l.get(3).inet().getPort(), "default port 80");
    }

    @Test
    void parsesToSocketAddressesAndPrintsThemCanonically() {
        assertEquals(new InetSocketAddress("127.0.0.1", 80), ListenAddress.parse("127.0.0.1").address());
        assertEquals(new InetSocketAddress("0.0.0.0", 8080), ListenAddress.parse("0.0.0.0:8080").address());
        assertEquals(new InetSocketAddress("::1", 80), ListenAddress.parse("[::1]").address());
        assertEquals(new InetSocketAddress("::", 81), ListenAddress.parse("[::]:81").address());
        assertEquals("/run/lacme-www.socket", ListenAddress.parse("/run/lacme-www.socket").toString());
        assertEquals("[0:0:0:0:0:0:0:1]:80", ListenAddress.parse("[::1]").toString());
        assertEquals("10.0.0.1:80", ListenAddress.parse("10.0.0.1").toString());
        assertEquals("10.0.0.1", ListenAddress.parse("10.0.0.1").text(), "messages quote the address as written");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "localhost:80", "example.org:80", "256.1.1.1", "1.2.3",
        "::1", "[::1", "[fe80::zz]", "1.2.3.4:65536", "1.2.3.4:70000", "1.2.3.4:", "run/socket",
        "relative/path", "[1:2:3:4:5:6:7:8:9]", "[fe80::1%eth0]:80"})
    void refusesHostNamesAndBadPorts(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(bad));
        assertEquals("Invalid address: " + bad, e.getMessage());
    }

    /** One rule for port 0, as lacme's bind: the kernel picks the port. */
    @Test
    void portZeroLetsTheKernelPick() throws IOException {
        ListenAddress a = ListenAddress.parse("127.0.0.1:0");
        try (ServerSocketChannel ch = a.bind()) {
            assertNotEquals(0, ((InetSocketAddress) ch.getLocalAddress()).getPort());
        }
    }

    @Test
    void ipv4GetsAnIpv4SocketAndIpv6ADualStackOne() throws IOException {
        try (ServerSocketChannel ch = ListenAddress.parse("127.0.0.1:0").bind()) {
            assertTrue(((InetSocketAddress) ch.getLocalAddress()).getAddress() instanceof java.net.Inet4Address);
        }
        try (ServerSocketChannel ch = ListenAddress.parse("[::]:0").bind();
             var c = java.nio.channels.SocketChannel.open(StandardProtocolFamily.INET)) {
            int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            assertTrue(c.connect(new InetSocketAddress("127.0.0.1", port)), "[::] also accepts IPv4");
        }
    }

    @Test
    void unixSocketIsWorldConnectableAndNeverReplacesAFile(@TempDir Path tmp) throws IOException {
        Path sock = tmp.resolve("www.socket");
        try (ServerSocketChannel ch = ListenAddress.parse(sock.toString()).bind()) {
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        }
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        IOException e = assertThrows(IOException.class, () -> ListenAddress.parse(victim.toString()).bind());
        assertEquals("Couldn't bind to " + victim + ": Address already in use", e.getMessage());
        assertEquals("precious", Files.readString(victim));
    }
}
