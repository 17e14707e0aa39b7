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

    @Test
    void specifiersAreTheTargetUsersWithTheCleanEnvironment() throws Exception {
        PrivDrop d = PrivDrop.of("nobody", "nogroup");
        var sp = d.specifiers();
        assertEquals("nobody", sp.expand("%u"));
        assertEquals(Long.toString(d.uid()), sp.expand("%U"));
        assertEquals("nogroup", sp.expand("%g"));
        assertEquals(Long.toString(d.gid()), sp.expand("%G"));
        assertEquals(d.environment().get("HOME"), sp.expand("%h"));
        assertEquals(d.environment().get("HOME") + "/.config", sp.expand("%E"), "no XDG_CONFIG_HOME after the drop");
        assertEquals("/tmp", sp.expand("%T"), "no TMPDIR after the drop");
        assertThrows(lacme.common.config.ConfigException.class, () -> sp.expand("%t"),
                "a non-root target has no XDG_RUNTIME_DIR");
    }

    @Test
    void withoutADropSpecifiersAreTheMastersOwn() throws Exception {
        var sp = PrivDrop.of("", "").specifiers();
        assertEquals(Long.toString(PrivDrop.currentUid()), sp.expand("%U"));
        assertEquals(Long.toString(PrivDrop.currentGid()), sp.expand("%G"));
    }
}
