package lacme.master.dns;

import lacme.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A section's dns-01 settings, checked before any order: one line naming section and key. */
class DnsSettingsTest {
    private static final List<String> DNS = List.of("dns-01", "http-01");

    @TempDir
    Path tmp;

    private String hook(String mode) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path h = tmp.resolve("hook-" + mode);
        Files.writeString(h, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(h, PosixFilePermissions.fromString(mode));
        return h.toString();
    }

    private static String error(Map<String, String> conf, List<String> pref) {
        return assertThrows(ConfigException.class, () -> DnsSettings.of("s", conf, pref)).getMessage();
    }

    @Test
    void defaultsAndNothingWithoutDns01() throws Exception {
        assertNull(DnsSettings.of("s", Map.of(), List.of("http-01")));
        DnsSettings d = DnsSettings.of("s", Map.of("dns-hook", hook("rwxr-xr-x") + " --zone x"), DNS);
        assertEquals(Duration.ofSeconds(120), d.timeout());
        assertEquals("nobody", d.user().target().name());
        assertTrue(d.user().uid() > 0);
    }

    @Test
    void clearOneLineErrors() throws Exception {
        String ok = hook("rwxr-xr-x");
        assertEquals("[s] dns-hook: required when 'challenge' lists dns-01", error(Map.of(), DNS));
        assertEquals("[s] dns-hook-timeout: 'soon' is not a number of seconds from 1 to 3600",
                error(Map.of("dns-hook", ok, "dns-hook-timeout", "soon"), DNS));
        assertEquals("[s] dns-hook-timeout: '0' is not a number of seconds from 1 to 3600",
                error(Map.of("dns-hook", ok, "dns-hook-timeout", "0"), DNS));
        assertEquals("[s] dns-hook-user: no such user 'no-such-user-x'",
                error(Map.of("dns-hook", ok, "dns-hook-user", "no-such-user-x"), DNS));
        assertEquals("[s] dns-hook-user: 'root' is root; the hook must run as an unprivileged user",
                error(Map.of("dns-hook", ok, "dns-hook-user", "root"), DNS));
        String closed = error(Map.of("dns-hook", hook("rwx------")), DNS);
        assertTrue(closed.startsWith("[s] dns-hook: ") && closed.contains("hook-rwx------"), closed);
        assertTrue(!closed.contains("\n"), closed);
    }
}
