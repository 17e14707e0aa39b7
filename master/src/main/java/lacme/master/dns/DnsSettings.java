package lacme.master.dns;

import lacme.common.config.ConfigException;
import lacme.common.config.Passwd;
import lacme.master.Fatal;
import lacme.master.spawn.PrivDrop;
import lacme.master.spawn.Spawner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A section's dns-01 settings: {@code dns-hook} (the command, split on white space, no shell),
 * {@code dns-hook-user} and {@code dns-hook-timeout}, checked before any order so that a typo
 * costs no order at the CA.
 *
 * <p>The hook's user defaults to {@code nobody}, never to the client's user: the hook usually
 * holds credentials for the DNS zone, and the client is the process exposed to the CA's
 * answers; sharing a uid would hand a compromised client those credentials (and the client
 * could then publish any record). A hook that needs credentials gets its own user, set here.
 * root (uid 0) is refused: the hook is a program the master runs on a peer's request. The
 * hook runs with that user's primary group only.
 */
public record DnsSettings(String command, PrivDrop user, Duration timeout) {
    /** The hook's user when {@code dns-hook-user} is unset. */
    public static final String DEFAULT_USER = "nobody";
    /** {@code dns-hook-timeout} when unset (seconds). */
    public static final long DEFAULT_TIMEOUT = 120;
    /** The longest {@code dns-hook-timeout} (seconds): the run holds its lock meanwhile. */
    public static final long MAX_TIMEOUT = 3600;
    /** The section keys this class reads. */
    public static final List<String> KEYS = List.of("dns-hook", "dns-hook-user", "dns-hook-timeout");

    /**
     * The settings of a section, or null when it neither sets {@code dns-hook} nor lists
     * dns-01 in its preference.
     *
     * @throws ConfigException a one-line error naming the section and key: dns-01 without a hook,
     *                         an unknown or root user, a bad timeout, a hook the user cannot run
     */
    public static DnsSettings of(String section, Map<String, String> conf, List<String> preference)
            throws ConfigException {
        String command = conf.get("dns-hook");
        boolean wanted = preference.contains("dns-01");
        if (command == null || command.isBlank()) {
            if (wanted) {
                throw new ConfigException("[" + section + "] dns-hook: required when 'challenge' lists dns-01");
            }
            return null;
        }
        String t = conf.get("dns-hook-timeout");
        long seconds = DEFAULT_TIMEOUT;
        if (t != null && !t.isBlank()) {
            try {
                seconds = Long.parseLong(t.trim());
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < 1 || seconds > MAX_TIMEOUT) {
                throw new ConfigException("[" + section + "] dns-hook-timeout: '" + t + "' is not a number of seconds"
                        + " from 1 to " + MAX_TIMEOUT);
            }
        }
        String name = conf.get("dns-hook-user");
        name = name == null || name.isBlank() ? DEFAULT_USER : name.trim();
        final String userName = name;
        Passwd.User u = Passwd.user(name).orElseThrow(() -> new ConfigException("[" + section
                + "] dns-hook-user: no such user '" + userName + "'"));
        if (u.uid() == 0) {
            throw new ConfigException("[" + section + "] dns-hook-user: '" + name
                    + "' is root; the hook must run as an unprivileged user");
        }
        String group = Passwd.groupName(u.gid()).orElseThrow(() -> new ConfigException("[" + section
                + "] dns-hook-user: the primary group " + u.gid() + " of '" + userName + "' has no name"));
        try {
            PrivDrop drop = PrivDrop.of(name, group);
            List<String> argv = Spawner.split(command, "[" + section + "] dns-hook");
            String denied = drop.cannotRun(argv.get(0), Path.of("/"));
            if (denied != null) {
                throw new ConfigException("[" + section + "] dns-hook: " + denied);
            }
            return new DnsSettings(command, drop, Duration.ofSeconds(seconds));
        } catch (Fatal e) {
            throw new ConfigException("[" + section + "] dns-hook: " + e.getMessage());
        }
    }
}
