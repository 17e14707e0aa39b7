package lacme.master.status;

import lacme.master.install.Installer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus textfile (node_exporter's textfile collector) that newOrder writes after each
 * run when the default section sets {@code metrics-file}. Last success and last failure must
 * survive runs that do not touch a section, so they are read back from the previous file: the
 * file is its own state, and a sysadmin who deletes it only loses history.
 * <p>
 * The file is written with {@link Installer#install} (a temporary file in a private directory
 * beside it, fsync, mode 0644, renameat: the collector never reads half a file, and root never
 * follows a link that whoever owns the collector's directory put there). The previous file is
 * read without following a link, at most {@link #MAX_PREVIOUS} bytes, within
 * {@link #READ_TIMEOUT} (a FIFO put in its place would block the open for ever).
 */
public final class MetricsFile {
    static final int MAX_PREVIOUS = 1 << 20;
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    static final String SUCCESS = "lacme_certificate_last_success_timestamp_seconds";
    static final String FAILURE = "lacme_certificate_last_failure_timestamp_seconds";
    private static final Pattern REMEMBERED = Pattern.compile(
            "(" + SUCCESS + "|" + FAILURE + ")\\{section=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"\\} ([0-9]{1,15})");

    private MetricsFile() {
    }

    /** A section's last success and failure (Unix seconds, null when never). */
    public record History(Long lastSuccess, Long lastFailure) {
        static final History NONE = new History(null, null);
    }

    /** The file's text for these sections (in their order), with their history, at {@code now}. */
    public static String render(List<SectionStatus> sections, Map<String, History> history, Instant now) {
        StringBuilder b = new StringBuilder();
        metric(b, "lacme_certificate_expiry_timestamp_seconds",
                "notAfter of the installed certificate (Unix time).");
        for (SectionStatus s : sections) {
            sample(b, "lacme_certificate_expiry_timestamp_seconds", s.section(),
                    s.notAfter() == null ? null : s.notAfter().getEpochSecond());
        }
        metric(b, SUCCESS, "When lacme newOrder last installed a certificate for the section (Unix time).");
        for (SectionStatus s : sections) {
            sample(b, SUCCESS, s.section(), history.getOrDefault(s.section(), History.NONE).lastSuccess());
        }
        metric(b, FAILURE, "When lacme newOrder last failed to renew the section's due certificate (Unix time).");
        for (SectionStatus s : sections) {
            sample(b, FAILURE, s.section(), history.getOrDefault(s.section(), History.NONE).lastFailure());
        }
        metric(b, "lacme_certificate_next_renewal_timestamp_seconds",
                "When the section is next due for renewal (Unix time; the run's time when due now).");
        for (SectionStatus s : sections) {
            sample(b, "lacme_certificate_next_renewal_timestamp_seconds", s.section(),
                    s.nextRenewal() == null ? null : s.nextRenewal().getEpochSecond());
        }
        metric(b, "lacme_certificate_valid", "1 when the section has an unexpired readable certificate, else 0.");
        for (SectionStatus s : sections) {
            sample(b, "lacme_certificate_valid", s.section(), s.state() == SectionStatus.State.VALID ? 1L : 0L);
        }
        metric(b, "lacme_last_run_timestamp_seconds", "When lacme newOrder last wrote this file (Unix time).");
        b.append("lacme_last_run_timestamp_seconds ").append(now.getEpochSecond()).append('\n');
        return b.toString();
    }

    private static void metric(StringBuilder b, String name, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
    }

    /** One sample; none when the value is unknown (Prometheus' convention for "no data"). */
    private static void sample(StringBuilder b, String name, String section, Long value) {
        if (value != null) {
            b.append(name).append("{section=\"").append(escape(section)).append("\"} ").append(value).append('\n');
        }
    }

    /** A label value as the text exposition format wants it: backslash, double quote and newline escaped. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String unescape(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length()) {
                char n = v.charAt(++i);
                b.append(n == 'n' ? '\n' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The history in a previous file's text; lines that are not ours are ignored. */
    static Map<String, History> parse(String text) {
        Map<String, History> h = new TreeMap<>();
        for (String line : text.split("\n")) {
            Matcher m = REMEMBERED.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String section = unescape(m.group(2));
            long v = Long.parseLong(m.group(3));
            History old = h.getOrDefault(section, History.NONE);
            h.put(section, m.group(1).equals(SUCCESS) ? new History(v, old.lastFailure())
                    : new History(old.lastSuccess(), v));
        }
        return h;
    }

    /** The history kept in the file as it is now; empty when it is missing, not a regular file or unreadable. */
    public static Map<String, History> previous(Path file) {
        CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
            try {
                if (!Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                    return "";
                }
                try (InputStream in = Channels.newInputStream(Files.newByteChannel(file, StandardOpenOption.READ,
                        LinkOption.NOFOLLOW_LINKS))) {
                    return new String(in.readNBytes(MAX_PREVIOUS), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                return "";
            }
        });
        try {
            return parse(read.get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /** Writes the file atomically, mode 0644, owned by the running user (root). */
    public static void write(Path file, String text) throws IOException {
        Installer.install(file, text, "0644", "");
    }
}
