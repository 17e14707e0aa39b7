package lacme.master.config;

import java.util.ArrayList;
import java.util.List;

/** A {@link Reporter} that keeps every line, for tests that assert on what the master says. */
public final class RecordingReporter implements Reporter {
    private final List<String> lines = new ArrayList<>();
    private final boolean levels;

    /** @param levels prefix each line with its level ("I ", "W ", "D ") */
    public RecordingReporter(boolean levels) {
        this.levels = levels;
    }

    /** Every line so far, in order (a live view). */
    public List<String> lines() {
        return lines;
    }

    @Override
    public void info(String line) {
        lines.add(levels ? "I " + line : line);
    }

    @Override
    public void warn(String line) {
        lines.add(levels ? "W " + line : line);
    }

    @Override
    public void debug(String line) {
        lines.add(levels ? "D " + line : line);
    }
}
