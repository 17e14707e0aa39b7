package lacme.master.status;

import lacme.common.io.Errno;
import lacme.master.renew.RenewalState;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The metrics file's part in one newOrder run: a look at every section before the run, and
 * after it (whatever its outcome) the file rewritten. A section counts as a success when its
 * installed certificate changed during the run, as a failure when it was due before the run
 * and did not change; other sections keep the history the previous file had. This needs
 * nothing from inside newOrder, so the file says what is on disk, not what a run claimed.
 */
public final class MetricsRun {
    private final Path file;
    private final Map<String, Map<String, String>> all;
    private final List<String> selected;
    private final Integer minDaysOption;
    private final Supplier<RenewalState> state;
    private final Map<String, SectionStatus> before = new HashMap<>();

    /**
     * @param all           every certificate section (the file lists them all)
     * @param selected      the sections the run works on (all when empty)
     * @param minDaysOption --min-days (-1 for --force) or null
     */
    public MetricsRun(Path file, Map<String, Map<String, String>> all, List<String> selected, Integer minDaysOption,
                      Instant now) {
        this(file, all, selected, minDaysOption, RenewalState::inMemory, now);
    }

    /** @param state reads what renewal remembers (ARI windows), before and again after the run */
    public MetricsRun(Path file, Map<String, Map<String, String>> all, List<String> selected, Integer minDaysOption,
                      Supplier<RenewalState> state, Instant now) {
        this.file = file;
        this.state = state;
        this.all = all;
        this.selected = selected.isEmpty() ? new ArrayList<>(all.keySet()) : selected;
        this.minDaysOption = minDaysOption;
        RenewalState known = state.get();
        for (String s : this.selected) {
            if (all.containsKey(s)) {
                before.put(s, Inspector.inspect(s, all.get(s), minDaysOption, known, now));
            }
        }
    }

    /** Rewrites the file; returns a one-line problem (naming the file), or null when written. */
    public String finish(Instant now) {
        Map<String, MetricsFile.History> history = new HashMap<>(MetricsFile.previous(file));
        List<SectionStatus> after = new ArrayList<>();
        RenewalState known = state.get();
        for (var e : all.entrySet()) {
            SectionStatus st = Inspector.inspect(e.getKey(), e.getValue(), minDaysOption, known, now);
            after.add(st);
            SectionStatus was = before.get(e.getKey());
            if (was == null || st.state() == SectionStatus.State.UNCONFIGURED) {
                continue;
            }
            MetricsFile.History h = history.getOrDefault(e.getKey(), MetricsFile.History.NONE);
            if (st.fingerprint() != null && !Objects.equals(st.fingerprint(), was.fingerprint())) {
                history.put(e.getKey(), new MetricsFile.History(now.getEpochSecond(), h.lastFailure()));
            } else if (was.due()) {
                history.put(e.getKey(), new MetricsFile.History(h.lastSuccess(), now.getEpochSecond()));
            }
        }
        try {
            MetricsFile.write(file, MetricsFile.render(after, history, now));
            return null;
        } catch (IOException e) {
            String m = e.getMessage() == null ? Errno.reason(e) : e.getMessage();
            return "metrics-file " + (m.contains(file.toString()) ? m : file + ": " + m);
        }
    }
}
