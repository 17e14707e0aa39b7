package lacme.common.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up slf4j-simple for one process role: one line per event on stderr, prefixed by the
 * level and the role ({@code [INFO] lacme-accountd - ...}); no thread names, no timestamps
 * (systemd's journal adds its own). Must run before the first {@link LoggerFactory} call of the process.
 */
public final class Logging {
    /** Quiet: warnings and errors only. */
    public static final int QUIET = 0;
    /** Default: informational messages. */
    public static final int NORMAL = 1;
    /** --debug. */
    public static final int DEBUG = 2;

    private Logging() {
    }

    /** Configures the binding and returns the role's logger. */
    public static Logger init(String role, int level) {
        String lvl = level >= DEBUG ? "debug" : level == NORMAL ? "info" : "warn";
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", lvl);
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "false");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "true");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
        // HttpClient's wire log would print request bodies; keep it out even with --debug.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hc", "warn");
        return LoggerFactory.getLogger(role);
    }
}
