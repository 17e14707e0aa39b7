package lacme.common.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One line per event on stderr: {@code [LEVEL] name - message}, the format lacme's users
 * and tests read (and slf4j-simple's, which this replaces: its class-path search for a
 * properties file cost each program ~40 ms at start-up, issue 12). A throwable's stack trace
 * is printed only at debug level: without --debug a user sees no Java stack trace.
 */
final class StderrLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    /** Libraries that may log what is not for the user's eyes (HttpClient's wire log) stay at warn. */
    private static final String QUIET_PREFIX = "org.apache.hc";

    /** The lowest level this logger shows at least (warn for the quiet libraries). */
    private final int floor;

    StderrLogger(String name) {
        this.name = name;
        this.floor = name.startsWith(QUIET_PREFIX) ? Level.WARN.toInt() : Level.TRACE.toInt();
    }

    /** Against the process's level as it is now: a logger made before Logging.init obeys --debug too. */
    private boolean enabled(Level l) {
        return l.toInt() >= Math.max(floor, Logging.threshold());
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                               Throwable t) {
        String msg = MessageFormatter.basicArrayFormat(pattern, args);
        String line = "[" + level + "] " + name + " - " + msg + System.lineSeparator();
        java.io.PrintStream err = System.err;
        synchronized (err) {
            err.print(line);
            if (t != null && Logging.threshold() <= Level.DEBUG.toInt()) {
                t.printStackTrace(err);
            }
            err.flush();
        }
    }
}
