package lacme.common.os;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The privilege drop's argv, environment and specifiers (real processes: master's SpawnerTest). */
class SetprivTest {
    @Test
    void emptyUserAndGroupSkipTheDrop() {
        Setpriv d = Setpriv.resolve("", "");
        assertFalse(d.drops());
        assertEquals(List.of(), d.prefix());
    }

    @Test
    void dropClearsGroupsCapabilitiesAndSetsNoNewPrivs() {
        Setpriv d = Setpriv.resolve("nobody", "nogroup");
        List<String> p = d.prefix();
        assertEquals(Setpriv.SETPRIV, p.get(0));
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
        assertEquals("getpwnam(no-such-user-xyz): no such user",
                assertThrows(IllegalArgumentException.class, () -> Setpriv.resolve("no-such-user-xyz", "")).getMessage());
        assertEquals("getgrnam(no-such-group-xyz): no such group",
                assertThrows(IllegalArgumentException.class, () -> Setpriv.resolve("", "no-such-group-xyz")).getMessage());
    }

    @Test
    void setprivIsRunByAbsolutePathAndTheEnvironmentIsTheSameForEveryChild() {
        Setpriv d = Setpriv.resolve("nobody", "nogroup");
        assertEquals("/usr/bin/setpriv", d.prefix().get(0));
        assertEquals(System.getenv("JAVA_HOME"), d.environment().get("JAVA_HOME"), "the launchers find the same JVM");
        assertEquals(Setpriv.resolve("nobody", "nogroup").environment(), d.environment());
    }

    @Test
    void specifiersAreTheTargetUsersWithTheCleanEnvironment() throws Exception {
        Setpriv d = Setpriv.resolve("nobody", "nogroup");
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
        var sp = Setpriv.resolve("", "").specifiers();
        assertEquals(Long.toString(Setpriv.currentUid()), sp.expand("%U"));
        assertEquals(Long.toString(Setpriv.currentGid()), sp.expand("%G"));
    }
}
