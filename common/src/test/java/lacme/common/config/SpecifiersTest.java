package lacme.common.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpecifiersTest {
    @Test
    void rootAndUserExpansions() throws ConfigException {
        Specifiers root = Specifiers.of(Map.of(), 0, 0, "root", "root", "/root");
        assertEquals("/etc/lacme/lacme.conf", root.expand("%E/lacme/lacme.conf"));
        assertEquals("/run/S.lacme", root.expand("%t/S.lacme"));
        assertEquals("/var/cache 0 0 root root /root /tmp %", root.expand("%C %U %G %u %g %h %T %%"));
        Specifiers user = Specifiers.of(Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "TMPDIR", "/var/tmp"),
                1000, 100, "alice", "users", "/home/alice");
        assertEquals("/home/alice/.config/lacme", user.expand("%E/lacme"));
        assertEquals("/home/alice/.cache", user.expand("%C"));
        assertEquals("/run/user/1000/S.lacme", user.expand("%t/S.lacme"));
        assertEquals("/var/tmp", user.expand("%T"));
    }

    @Test
    void errorsNameTheString() {
        Specifiers user = Specifiers.of(Map.of(), 1000, 100, "alice", "users", "/home/alice");
        ConfigException e = assertThrows(ConfigException.class, () -> user.expand("%t/S.lacme"));
        assertEquals("Undefined expansion %t in \"%t/S.lacme\"", e.getMessage());
        e = assertThrows(ConfigException.class, () -> user.expand("a%xb"));
        assertEquals("\"a%xb\" has unknown specifier %x", e.getMessage());
    }
}
