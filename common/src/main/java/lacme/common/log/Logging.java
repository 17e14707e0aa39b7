package lacme.common.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Sets up logging for one process role: one line per event on stderr, prefixed by the level
 * and the role ({@code [INFO] lacme-accountd - ...}); no thread names, no timestamps (systemd's
 * journal adds its own). Must run before the first {@link LoggerFactory} call of the process.
 */
public final class Logging {
    /** Quiet: warnings and errors only. */
    public static final int QUIET = 0;
    /** Default: informational messages. */
    public static final int NORMAL = 1;
    /** --debug. */
    public static final int DEBUG = 2;

    /** The lowest level shown (an slf4j level number); info until {@link #init} says otherwise. */
    private static volatile int threshold = Level.INFO.toInt();

    private Logging() {
    }

    /** Configures the binding and returns the role's logger. */
    public static Logger init(String role, int level) {
        threshold = (level >= DEBUG ? Level.DEBUG : level == NORMAL ? Level.INFO : Level.WARN).toInt();
        // The binding named, not searched for: slf4j's ServiceLoader scan of every jar on the
        // class path cost each program 25-50 ms of CPU at start-up (issue 12, profiled).
        System.setProperty("slf4j.provider", StderrLoggerProvider.class.getName());
        // ... without slf4j saying so on stderr (its own notices: warnings and errors only)
        System.setProperty("slf4j.internal.verbosity", "WARN");
        return LoggerFactory.getLogger(role);
    }

    static int threshold() {
        return threshold;
    }
}
