package lacme.master.spawn;

import lacme.master.Fatal;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrivDropTest {
    @Test
    void emptyUserAndGroupSkipTheDrop() throws Fatal {
        PrivDrop d = PrivDrop.of("", "");
        assertFalse(d.drops());
        assertEquals(List.of(), d.prefix());
    }

    @Test
    void dropClearsGroupsCapabilitiesAndSetsNoNewPrivs() throws Fatal {
        PrivDrop d = PrivDrop.of("nobody", "nogroup");
        List<String> p = d.prefix();
        assertEquals(PrivDrop.SETPRIV, p.get(0));
        assertTrue(p.contains("--reuid=" + d.uid()));
        assertTrue(p.contains("--regid=" + d.gid()));
        assertTrue(p.contains("--groups=" + d.gid()));
        assertTrue(p.containsAll(List.of("--no-new-privs", "--inh-caps=-all", "--bounding-set=-all")));
        assertEquals("--", p.get(p.size() - 1));
        assertEquals("nobody", d.environment().get("USER"));
        assertEquals("/usr/bin:/bin", d.environment().get("PATH"));
        assertFalse(d.environment().containsKey("SSH_AUTH_SOCK"));
    }

    @Test
    void unknownUserOrGroupFailsBeforeSpawning() {
        assertThrows(Fatal.class, () -> PrivDrop.of("no-such-user-xyz", ""));
        assertThrows(Fatal.class, () -> PrivDrop.of("", "no-such-group-xyz"));
    }
}
