package lacme.master.config;

import org.slf4j.Logger;

/**
 * Where the newOrder preparation reports its lacme-worded lines ("[www] Valid until …,
 * skipping", "Warning: No such section …"). Production code sends them to the log; the
 * parity tests collect them and compare them with what Perl lacme prints for the same files.
 */
public interface Reporter {
    /** An informational line (lacme prints it unless --quiet, where applicable). */
    void info(String line);

    /** A warning line. */
    void warn(String line);

    /** A line lacme prints only with --debug. */
    void debug(String line);

    /** A reporter writing to a logger. */
    static Reporter of(Logger log) {
        return new Reporter() {
            @Override
            public void info(String line) {
                log.info("{}", line);
            }

            @Override
            public void warn(String line) {
                log.warn("{}", line);
            }

            @Override
            public void debug(String line) {
                log.debug("{}", line);
            }
        };
    }
}
