package lacme.master.spawn;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void refusesHostNamesAndBadPorts() {
        for (String bad : List.of("localhost:80", "256.1.1.1", "1.2.3.4:0", "1.2.3.4:70000", "[::1", "::1",
                "relative/path", "[fe80::1%eth0]:80")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(bad), bad);
            assertEquals("Invalid address: " + bad, e.getMessage());
        }
    }
}
