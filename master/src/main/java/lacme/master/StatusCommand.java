package lacme.master;

import lacme.common.config.ConfigException;
import lacme.master.config.Reporter;
import lacme.master.renew.RenewalState;
import lacme.master.renew.Window;
import lacme.master.spawn.ClientSession;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lacme status [--json] [SECTION...]}: what each certificate section holds and what the
 * next {@code newOrder} would do with it, for a sysadmin (one line per section) or a monitoring
 * agent (docs/status-json.md). It reads the configuration, the installed certificates and the
 * renewal state, and writes nothing; it never connects to accountd (which might wake a key
 * host). Only when a certificate's remembered ARI window is stale does it start a client,
 * without accountd, to ask the CA for the current one (read-only GETs). Exit status (docs/exit-status.md): 0 when every selected section has a valid
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
        Reporter report = Reporter.of(ctx.log);
        Map<String, Map<String, String>> all = NewOrderCommand.certSections(ctx.conf, ctx.sp, configCerts, report);
        RenewalState state = state(ctx, report);
        Instant now = Instant.now();
        return run(all, minDaysOption, json, selected, state, liveWindows(all, selected, minDaysOption, state, now,
                report), report, System.out, now);
    }

    /**
     * The CA's current windows for the installed certificates whose remembered window is past
     * its Retry-After (issue 13): asked through a client started without accountd (the key
     * host is never woken to look) and with "/" as cwd (it writes nothing); no client at all
     * when no certificate is installed or every window is still fresh. A failure is a warning:
     * status still answers, with what is remembered.
     */
    private Map<String, Window> liveWindows(Map<String, Map<String, String>> all, List<String> selected,
                                            Integer minDaysOption, RenewalState state, Instant now, Reporter report) {
        AriRound.Lookups l = AriRound.lookups(AriRound.candidates(all, selected, minDaysOption), state, now);
        Map<String, Window> windows = new HashMap<>(l.cached());
        if (l.toAsk().isEmpty()) {
            return windows;
        }
        try (ClientSession client = ctx.client(ctx.hello(), null, Path.of("/"))) {
            windows.putAll(AriRound.ask(client, l.toAsk(), now, report));
        } catch (Fatal e) {
            report.warn("Warning: Couldn't fetch renewal information (" + e.getMessage() + ")");
        }
        return windows;
    }

    /** The work of {@link #run(List, Integer, boolean, List)}, with its inputs and output given (tests). */
    static int run(Map<String, Map<String, String>> all, Integer minDaysOption, boolean json, List<String> selected,
                   RenewalState state, Reporter report, PrintStream out, Instant now) {
        return run(all, minDaysOption, json, selected, state, Map.of(), report, out, now);
    }

    /** Like the above, with the CA's current windows by section (see {@link #liveWindows}). */
    static int run(Map<String, Map<String, String>> all, Integer minDaysOption, boolean json, List<String> selected,
                   RenewalState state, Map<String, Window> live, Reporter report, PrintStream out, Instant now) {
        int rv = 0;
        List<SectionStatus> shown = new ArrayList<>();
        for (String s : selected.isEmpty() ? new ArrayList<>(all.keySet()) : selected) {
            Map<String, String> c = all.get(s);
            if (c == null) {
                report.warn("Warning: No such section " + s + ", skipping");
                rv = 1;
                continue;
            }
            SectionStatus st = Inspector.inspect(s, c, minDaysOption, state, live.get(s), now);
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
