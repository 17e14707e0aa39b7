package lacme.accountd;

import lacme.common.io.Errno;
import lacme.common.log.Logging;
import org.slf4j.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * accountd's three log levels, as lacme-accountd has them: <em>info</em> (refusals, errors;
 * always shown), <em>verbose</em> (connections, signatures; hidden by --quiet) and
 * <em>debug</em>. Lines go to stderr through {@link Logging} and, when {@code logfile} is
 * set, to that file with a timestamp &mdash; verbose lines included even with --quiet,
 * because the log file is the audit trail of what the key signed. Thread-safe.
 * Callers never pass key material.
 */
public final class AccountLog {
    /** ctime(3)-like, as Perl's scalar localtime prints it. */
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

    private final Logger logger;
    private final boolean debug;
    private volatile boolean quiet;
    private OutputStream file;

    public AccountLog(boolean debug) {
        this.logger = Logging.init("lacme-accountd", debug ? Logging.DEBUG : Logging.NORMAL);
        this.debug = debug;
    }

    /** --quiet (ignored with --debug, as in lacme). */
    public void setQuiet(boolean quiet) {
        this.quiet = quiet && !debug;
    }

    /** Appends every info and verbose line (and debug lines with --debug) to {@code path}. */
    public synchronized void openFile(Path path) throws AccountdException {
        try {
            file = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new AccountdException("Can't open " + path + ": " + Errno.reason(e));
        }
    }

    public boolean isDebug() {
        return debug;
    }

    /** Always shown: refusals and problems. */
    public void info(String msg) {
        logger.warn(msg);
        toFile(msg);
    }

    /** Shown unless --quiet; always in the log file. */
    public void verbose(String msg) {
        if (!quiet) {
            logger.info(msg);
        }
        toFile(msg);
    }

    /** Shown with --debug only. */
    public void debug(String msg) {
        if (debug) {
            logger.debug(msg);
            toFile(msg);
        }
    }

    /** A fatal error: shown, and recorded in the log file as lacme-accountd does. */
    public void error(String msg) {
        logger.error(msg);
        toFile("Error: " + msg);
    }

    private synchronized void toFile(String msg) {
        if (file == null) {
            return;
        }
        String line = "[" + STAMP.format(ZonedDateTime.now()) + "] " + msg + "\n";
        try {
            file.write(line.getBytes(StandardCharsets.UTF_8));
            file.flush();
        } catch (IOException e) {
            logger.warn("can't write to the log file: " + Errno.reason(e));
        }
    }

    /**
     * Escapes what a terminal or a log reader would act on in peer-supplied text before it is
     * logged: C0 and C1 controls (a C1 CSI works like ESC [), line and paragraph separators,
     * and format characters such as bidi overrides.
     */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int t = Character.getType(c);
            if (t == Character.CONTROL || t == Character.FORMAT || t == Character.LINE_SEPARATOR
                    || t == Character.PARAGRAPH_SEPARATOR) {
                b.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
