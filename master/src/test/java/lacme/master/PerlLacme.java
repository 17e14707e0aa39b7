package lacme.master;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.master.config.LacmeConf;
import lacme.master.config.RecordingReporter;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one newOrder configuration through Debian's Perl lacme 0.8.2 and through our
 * {@link NewOrderCommand#plan} in-process, and reduces both to comparable outcomes. The Perl run
 * needs no CA: {@code --socket} points into a directory that does not exist and
 * {@code [webserver] challenge-directory} is an empty directory, so Perl lacme reads and checks
 * every file, decides about every section, builds the first CSR with openssl, lists the
 * identifiers — and dies on the socket's missing parent directory before it would spawn
 * anything or touch the network. {@code --debug} makes it print every merged section.
 */
final class PerlLacme {
    static final Path LACME = Path.of("/usr/sbin/lacme");

    /** What a run came to: REJECT (a configuration error), DONE rv, or ORDER of a section. */
    record Outcome(String kind, String detail, List<String> transcript) {
        @Override
        public String toString() {
            return kind + " " + detail + "\n  " + String.join("\n  ", transcript);
        }
    }

    private static final List<Pattern> KEPT = List.of(
            Pattern.compile("Warning: No such section .*, skipping"),
            Pattern.compile("\\[.*\\] Warning: Missing 'certificate' and 'certificate-chain', skipping"),
            Pattern.compile("\\[.*\\] Valid until .*, skipping"),
            Pattern.compile("\\[.*\\] Warning: Couldn't generate CSR.*, skipping"),
            Pattern.compile("\\[.*\\] Warning: Ignoring invalid domain .*"),
            Pattern.compile("\\[.*\\] Will request authorization for: .*"),
            Pattern.compile("Configuration option for .*:"),
            Pattern.compile("    [^ ].* = .*"),
            Pattern.compile(".* has unknown suffix, skipping"),
            Pattern.compile("Reading (?!from ').*"));
    private static final Pattern CSR = Pattern.compile("(\\[.*\\] Warning: Couldn't generate CSR).*(, skipping)");
    private static final Pattern ORDER = Pattern.compile("\\[(.*)\\] Will request authorization for: .*");
    private static final Pattern DONE_1 = Pattern.compile(
            "Warning: No such section .*|\\[.*\\] (Warning: Missing|Valid until|Warning: Couldn't generate CSR).*");

    private PerlLacme() {
    }

    static boolean available() {
        return Files.isExecutable(LACME) && Files.isExecutable(Path.of("/usr/bin/openssl"));
    }

    private static List<String> keep(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            for (Pattern p : KEPT) {
                if (p.matcher(l).matches()) {
                    out.add(CSR.matcher(l).replaceAll("$1$2"));
                    break;
                }
            }
        }
        return out;
    }

    /** Perl lacme on {@code dir/lacme.conf} with {@code args} after {@code newOrder}. */
    static Outcome perl(Path dir, List<String> args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(LACME.toString(), "--config=" + dir.resolve("lacme.conf"),
                "--socket=" + dir.resolve("nodir/S"), "--debug", "newOrder"));
        argv.addAll(args);
        Process p = new ProcessBuilder(argv).redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("Perl lacme timed out");
        }
        List<String> lines = err.lines().toList();
        List<String> kept = keep(lines);
        int rc = p.exitValue();
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        if (lines.contains("Error: stat(" + dir.resolve("nodir") + "): No such file or directory")) {
            return order(kept);
        }
        if (rc == 0 || rc == 1 && DONE_1.matcher(last).matches()) {
            return new Outcome("DONE", Integer.toString(rc), kept);
        }
        return new Outcome("REJECT", last, kept);
    }

    private static Outcome order(List<String> kept) {
        for (int i = 0; i < kept.size(); i++) {
            Matcher m = ORDER.matcher(kept.get(i));
            if (m.matches()) {
                return new Outcome("ORDER", m.group(1), kept.subList(0, i + 1));
            }
        }
        throw new AssertionError("an order without identifiers line: " + kept);
    }

    /** Our plan for the same files and arguments. */
    static Outcome ours(Path dir, List<String> args) {
        RecordingReporter r = new RecordingReporter(false);
        List<String> lines = r.lines();
        List<String> configCerts = null;
        Integer minDays = null;
        List<String> sections = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--config-certs=")) {
                configCerts = configCerts == null ? new ArrayList<>() : configCerts;
                configCerts.add(a.substring("--config-certs=".length()));
            } else if (a.startsWith("--min-days=")) {
                minDays = Integer.valueOf(a.substring("--min-days=".length()));
            } else if (a.equals("--force")) {
                minDays = -1;
            } else {
                sections.add(a);
            }
        }
        NewOrderCommand.Plan plan;
        try {
            LacmeConf conf = LacmeConf.read(dir.resolve("lacme.conf"), Path.of("/usr"), true);
            plan = NewOrderCommand.plan(conf, Specifiers.forCurrentProcess(), configCerts, minDays, sections,
                    false, r, Instant.now());
        } catch (ConfigException | Fatal e) {
            return new Outcome("REJECT", e.getMessage(), keep(lines));
        }
        List<String> kept = keep(lines);
        for (int i = 0; i < kept.size(); i++) {
            if (ORDER.matcher(kept.get(i)).matches()) {
                return order(kept);
            }
        }
        return new Outcome("DONE", Integer.toString(plan.rv()), kept);
    }
}
