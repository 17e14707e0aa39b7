package lacme.common.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** lacme 0.8.2's spec_expand, specifier by specifier. */
class SpecifiersTest {
    @Test
    void rootAndUserExpansions() throws ConfigException {
        Specifiers root = Specifiers.of(Map.of(), 0, 0, "root", "root", "/root");
        assertEquals("/etc/lacme/lacme.conf", root.expand("%E/lacme/lacme.conf"));
        assertEquals("/run/S.lacme", root.expand("%t/S.lacme"));
        assertEquals("/var/cache 0 0 root root /root /tmp %", root.expand("%C %U %G %u %g %h %T %%"));
        Specifiers user = Specifiers.of(Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "TMPDIR", "/var/tmp",
                "HOME", "/home/alice"), 1000, 100, "alice", "users", "/home/alice");
        assertEquals("/home/alice/.config/lacme", user.expand("%E/lacme"));
        assertEquals("/home/alice/.cache", user.expand("%C"));
        assertEquals("/run/user/1000/S.lacme", user.expand("%t/S.lacme"));
        assertEquals("/var/tmp", user.expand("%T"));
    }

    @Test
    void xdgFallbacksUseTheEnvironmentsHomeLikeLacme() throws ConfigException {
        Specifiers u = Specifiers.of(Map.of("HOME", "/elsewhere", "XDG_CACHE_HOME", ""), 1000, 100,
                "alice", "users", "/home/alice");
        assertEquals("/elsewhere/.cache /elsewhere/.config /home/alice", u.expand("%C %E %h"));
        Specifiers noHome = Specifiers.of(Map.of("XDG_CONFIG_HOME", "/cfg"), 1000, 100, "alice", "users", "/home/alice");
        assertEquals("/.cache /cfg", noHome.expand("%C %E"), "Perl interpolates an unset $HOME as empty");
        Specifiers emptyRuntime = Specifiers.of(Map.of("XDG_RUNTIME_DIR", ""), 1000, 100, "a", "b", "/h");
        assertEquals("/S", emptyRuntime.expand("%t/S"), "defined but empty is not undefined");
    }

    @Test
    void aPercentAtTheEndOrBeforeANewlineStays() throws ConfigException {
        Specifiers root = Specifiers.of(Map.of(), 0, 0, "root", "root", "/root");
        assertEquals("50%", root.expand("50%"));
        assertEquals("a%\nb", root.expand("a%\nb"));
        assertEquals("%u", root.expand("%%u"));
    }

    @Test
    void errorsNameTheString() {
        Specifiers user = Specifiers.of(Map.of(), 1000, 100, "alice", "users", "/home/alice");
        ConfigException e = assertThrows(ConfigException.class, () -> user.expand("%t/S.lacme"));
        assertEquals("Undefined expansion %t in \"%t/S.lacme\"", e.getMessage());
        e = assertThrows(ConfigException.class, () -> user.expand("a%xb"));
        assertEquals("\"a%xb\" has unknown specifier %x", e.getMessage());
        Specifiers nobody = Specifiers.of(Map.of(), 4242, 4242, null, null, null);
        assertEquals("Undefined expansion %u in \"%u\"", assertThrows(ConfigException.class,
                () -> nobody.expand("%u")).getMessage(), "a uid without a passwd entry has no name");
        assertThrows(ConfigException.class, () -> nobody.expand("%h"));
        assertEquals("4242:4242", assertDoesNotThrow(() -> nobody.expand("%U:%G")));
    }

    @Test
    void currentProcessUsesTheRealIds() throws Exception {
        Specifiers sp = Specifiers.forCurrentProcess();
        String status = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/status"));
        String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        assertEquals(uid, sp.expand("%U"));
    }
}
