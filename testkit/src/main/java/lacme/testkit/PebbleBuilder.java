package lacme.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings for one {@link Pebble} fixture: environment ({@code PEBBLE_*}), extra config
 * members, which installation, start timeout. {@code PEBBLE_VA_NOSLEEP=1} by default.
 */
public final class PebbleBuilder {
    final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, Object> config = new LinkedHashMap<>();
    private PebbleInstallation installation;
    private Duration startTimeout = Duration.ofSeconds(30);
    private boolean strict;
    boolean keepFiles = Boolean.getBoolean("lacme.pebble.keep");

    PebbleBuilder() {
        env.put("PEBBLE_VA_NOSLEEP", "1");
    }

    /** Sets a {@code PEBBLE_*} (or any) environment variable of the pebble process. */
    public PebbleBuilder env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Removes a variable (inherited ones included), e.g. {@code PEBBLE_VA_NOSLEEP}. */
    public PebbleBuilder unsetEnv(String name) {
        env.put(name, null);
        return this;
    }

    /** {@code PEBBLE_WFE_NONCEREJECT}: percentage of valid nonces Pebble rejects. */
    public PebbleBuilder nonceReject(int percent) {
        return env("PEBBLE_WFE_NONCEREJECT", Integer.toString(percent));
    }

    /** With false, unsets {@code PEBBLE_VA_NOSLEEP}: random validation delays. */
    public PebbleBuilder vaNoSleep(boolean noSleep) {
        return noSleep ? env("PEBBLE_VA_NOSLEEP", "1") : unsetEnv("PEBBLE_VA_NOSLEEP");
    }

    /** Adds a member to the {@code "pebble"} config object, e.g. {@code retryAfter}, {@code profiles}. */
    public PebbleBuilder config(String key, Object value) {
        config.put(key, value);
        return this;
    }

    /** Uses this installation instead of {@link PebbleInstallation#preferred()}. */
    public PebbleBuilder installation(PebbleInstallation i) {
        installation = i;
        return this;
    }

    /** Runs pebble with {@code -strict}. */
    public PebbleBuilder strict(boolean s) {
        strict = s;
        return this;
    }

    /** How long to wait for the directory to answer. */
    public PebbleBuilder startTimeout(Duration d) {
        startTimeout = d;
        return this;
    }

    /** Keeps the temporary directory (config, certificates, logs) after close. */
    public PebbleBuilder keepFiles(boolean keep) {
        keepFiles = keep;
        return this;
    }

    /** Starts challtestsrv and pebble and waits until the directory answers. */
    public Pebble start() throws IOException {
        PebbleInstallation inst = installation != null ? installation : PebbleInstallation.preferred();
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Pebble p = new Pebble(inst, this);
            try {
                p.launch(config, strict, startTimeout);
                return p;
            } catch (IOException e) {
                p.close();
                last = e;
                if (!String.valueOf(e.getMessage()).contains("address already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }
}
