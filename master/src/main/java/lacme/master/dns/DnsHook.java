package lacme.master.dns;

import lacme.common.os.Contain;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import lacme.master.spawn.PrivDrop;
import lacme.master.spawn.Spawner;
import org.slf4j.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A section's {@code dns-hook}: the command (split on white space, no shell) run by the master as
 * an unprivileged user with the arguments {@code add|remove NAME VALUE SECTION} (the same in the
 * environment as {@code LACME_DNS_ACTION}, {@code LACME_DNS_NAME}, {@code LACME_DNS_VALUE},
 * {@code LACME_SECTION}). Only values {@link TxtRecordCheck} accepted reach it, as separate argv
 * elements, so a peer's string is never interpreted by a shell. Each run is bounded by the
 * timeout (then killed). Every record added gets its removal registered in the master's
 * {@link Cleanup} first, so it runs also when the order fails or the master is signalled; an
 * add that fails or times out is followed by its removal at once (it may have half-succeeded).
 */
public final class DnsHook {
    private final Spawner spawner;
    private final Cleanup cleanup;
    private final PrivDrop drop;
    private final List<String> command;
    private final Duration timeout;
    private final String section;
    private final Logger log;

    public DnsHook(Spawner spawner, Cleanup cleanup, PrivDrop drop, String command, Duration timeout, String section,
                   Logger log) throws Fatal {
        this.spawner = spawner;
        this.cleanup = cleanup;
        this.drop = drop;
        this.command = Spawner.split(command, "[" + section + "] dns-hook");
        this.timeout = timeout;
        this.section = section;
        this.log = log;
    }

    /**
     * Publishes one TXT record; its removal is registered before the hook runs.
     *
     * @return the removal, to run (through {@link Cleanup#runNow}) once the authorization is done
     * @throws Fatal naming the section when the hook fails or times out
     */
    public Cleanup.Action add(String name, String value) throws Fatal {
        Cleanup.Action remove = () -> {
            try {
                run("remove", name, value);
            } catch (Fatal | RuntimeException e) {
                log.warn("[{}] Warning: {}", section, e.getMessage());
            }
        };
        cleanup.guard(() -> {
            cleanup.add(remove); // refused once the run is being torn down: no add without its removal
            return null;
        });
        try {
            run("add", name, value);
        } catch (Fatal e) {
            cleanup.runNow(remove); // a failed or killed add may have published the record all the same
            throw e;
        }
        return remove;
    }

    private void run(String action, String name, String value) throws Fatal {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of(action, name, value, section));
        Map<String, String> env = Map.of("LACME_DNS_ACTION", action, "LACME_DNS_NAME", name,
                "LACME_DNS_VALUE", value, "LACME_SECTION", section);
        int rc;
        try {
            // an add is refused once the run is torn down, and killed before its removal runs;
            // the removal is part of the teardown
            rc = spawner.runBounded("dns-hook", drop, Contain.ONLINE, argv, env, Path.of("/"), timeout.toMillis(),
                    action.equals("remove"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Fatal("[" + section + "] dns-hook " + action + " " + name + " interrupted");
        }
        if (rc == -1) {
            throw new Fatal("[" + section + "] dns-hook " + action + " " + name + " timed out after "
                    + timeout.toSeconds() + " s");
        }
        if (rc != 0) {
            throw new Fatal("[" + section + "] dns-hook " + action + " " + name + " failed (exit status " + rc + ")");
        }
        log.debug("[{}] dns-hook {} {}: done", section, action, name);
    }
}
