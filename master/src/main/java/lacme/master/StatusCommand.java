package lacme.master;

import lacme.common.config.ConfigException;
import lacme.master.config.Reporter;
import lacme.master.renew.RenewalState;
import lacme.master.status.Inspector;
import lacme.master.status.MetricsRun;
import lacme.master.status.SectionStatus;
import lacme.master.status.StatusFormat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code lacme status [--json] [SECTION...]}: what each certificate section holds and what the
 * next {@code newOrder} would do with it, for a sysadmin (one line per section) or a monitoring
 * agent (docs/status-json.md). It reads the configuration and the installed certificates and
 * nothing else: no child process, no accountd connection (which might wake a key host), no
 * write. Exit status (docs/exit-status.md): 0 when every selected section has a valid
 * certificate, {@value #UNUSABLE} when one has none (missing, expired, unreadable, unconfigured),
 * 1 on a configuration error or an unknown section.
 */
final class StatusCommand {
    /** Some selected section has no certificate a server could use now. */
    static final int UNUSABLE = 2;

    /** Says nothing: for a second reading of the configuration whose problems another reading reports. */
    static final Reporter QUIET = new Reporter() {
        @Override
        public void info(String line) {
        }

        @Override
        public void warn(String line) {
        }

        @Override
        public void debug(String line) {
        }
    };

    private final Context ctx;

    StatusCommand(Context ctx) {
        this.ctx = ctx;
    }


    int run(List<String> configCerts, Integer minDaysOption, boolean json, List<String> selected) throws Fatal {
        return run(NewOrderCommand.certSections(ctx.conf, ctx.sp, configCerts, Reporter.of(ctx.log)), minDaysOption, json, selected,
                state(ctx, Reporter.of(ctx.log)), Reporter.of(ctx.log), System.out, Instant.now());
    }

    /** The work of {@link #run(List, Integer, boolean, List)}, with its inputs and output given (tests). */
    static int run(Map<String, Map<String, String>> all, Integer minDaysOption, boolean json, List<String> selected,
                   RenewalState state, Reporter report, PrintStream out, Instant now) {
        int rv = 0;
        List<SectionStatus> shown = new ArrayList<>();
        for (String s : selected.isEmpty() ? new ArrayList<>(all.keySet()) : selected) {
            Map<String, String> c = all.get(s);
            if (c == null) {
                report.warn("Warning: No such section " + s + ", skipping");
                rv = 1;
                continue;
            }
            SectionStatus st = Inspector.inspect(s, c, minDaysOption, state, now);
            shown.add(st);
            if (st.state().unusable() && rv == 0) {
                rv = UNUSABLE;
            }
        }
        if (json) {
            out.println(StatusFormat.json(shown, now));
        } else {
            shown.forEach(st -> out.println(StatusFormat.line(st, now)));
        }
        out.flush();
        return rv;
    }

    /**
     * The metrics file's look before a newOrder run, or null when {@code metrics-file} is unset;
     * also null when the certificate configuration cannot be read (newOrder says why).
     *
     * @param minDaysOption --min-days (-1 for --force) or null
     */
    static MetricsRun metrics(Context ctx, List<String> configCerts, List<String> selected, Integer minDaysOption)
            throws Fatal {
        String v = ctx.conf.defaults().get("metrics-file");
        if (v == null || v.isEmpty()) {
            return null;
        }
        Path file;
        try {
            file = Path.of(ctx.sp.expand(v));
        } catch (ConfigException e) {
            throw new Fatal(ctx.conf.file() + ": metrics-file: " + e.getMessage());
        }
        if (!file.isAbsolute()) {
            throw new Fatal(ctx.conf.file() + ": metrics-file: not an absolute path: " + v);
        }
        try {
            return new MetricsRun(file, NewOrderCommand.certSections(ctx.conf, ctx.sp, configCerts, QUIET), selected, minDaysOption,
                    () -> state(ctx, QUIET), Instant.now());
        } catch (Fatal e) {
            ctx.log.debug("metrics-file: not updated: {}", e.getMessage());
            return null;
        }
    }

    /**
     * What renewal remembers (docs: RenewalState), read only: a state directory that does not
     * exist yet is not created (status writes nothing), and one that cannot be read is a
     * warning (status still answers, without the remembered ARI windows).
     */
    static RenewalState state(Context ctx, Reporter report) {
        // the directory newOrder uses (NewOrderCommand.loadState), but never created here
        Path dir = NewOrderCommand.stateDirectory(ctx.conf);
        if (!Files.isDirectory(dir)) {
            return RenewalState.inMemory();
        }
        try {
            return RenewalState.load(dir);
        } catch (IOException e) {
            report.warn("Warning: " + e.getMessage());
            return RenewalState.inMemory();
        }
    }
}
