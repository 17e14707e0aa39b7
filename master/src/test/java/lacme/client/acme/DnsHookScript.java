package lacme.client.acme;

import lacme.master.Cleanup;
import lacme.master.dns.DnsRequests;
import lacme.master.spawn.Spawner;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/** A real dns-hook for the contract tests: a script that logs "action name value", and the master's handler. */
final class DnsHookScript {
    private DnsHookScript() {
    }

    /** The master's handler on a real spawner. */
    static DnsRequests handler(Cleanup cleanup) {
        return new DnsRequests(new Spawner(cleanup, LoggerFactory.getLogger("test")), cleanup,
                LoggerFactory.getLogger("test"));
    }

    /** A dns-01 section whose hook (run as nobody) appends to {@code log}. */
    static Map<String, String> section(Path dir, Path log) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path hook = dir.resolve("hook");
        Files.writeString(hook, "#!/bin/sh\necho \"$1 $2 $3\" >> " + log + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Map.of("challenge", "dns-01", "dns-hook", hook.toString(), "dns-hook-timeout", "20");
    }

    static List<String> lines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
