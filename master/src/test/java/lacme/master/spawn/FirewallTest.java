package lacme.master.spawn;

import lacme.common.os.ListenAddress;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which rules {@code iptables = Yes} inserts for which listen addresses (lacme's choice). */
class FirewallTest {
    static String show(List<Firewall.Opening> l) {
        StringBuilder b = new StringBuilder();
        for (Firewall.Opening o : l) {
            b.append(o.v6() ? "v6 " : "v4 ").append(o.dest()).append(' ').append(o.port()).append('\n');
        }
        return b.toString();
    }

    @Test
    void opensEachTcpAddressInItsFamilyAndV4ForDualStack() {
        List<ListenAddress> a = ListenAddress.parseList(
                "127.0.0.1:8080 0.0.0.0 [::1]:81 [::]:82 [::ffff:192.0.2.1]:83 /run/lacme-www.socket");
        assertEquals("""
                v4 127.0.0.1/32 8080
                v4 0.0.0.0/0 80
                v4 0.0.0.0/0 82
                v4 192.0.2.1/32 83
                v6 0:0:0:0:0:0:0:1/128 81
                v6 ::/0 82
                v6 ::ffff:192.0.2.1/128 83
                """, show(Firewall.openings(a)));
    }

    @Test
    void unixSocketsNeedNoRule() {
        assertEquals(List.of(), Firewall.openings(ListenAddress.parseList("/run/lacme-www.socket")));
    }

    @Test
    void rulesAreLacmes() {
        Firewall.Opening o = new Firewall.Opening(false, "127.0.0.1/32", 80);
        assertEquals(List.of(
                List.of("INPUT", "-p", "tcp", "-m", "tcp", "-m", "state", "-d", "127.0.0.1/32", "--dport", "80",
                        "--state", "NEW,ESTABLISHED", "-j", "ACCEPT"),
                List.of("OUTPUT", "-p", "tcp", "-m", "tcp", "-m", "state", "-s", "127.0.0.1/32", "--sport", "80",
                        "--state", "ESTABLISHED", "-j", "ACCEPT")), o.specs());
    }
}
