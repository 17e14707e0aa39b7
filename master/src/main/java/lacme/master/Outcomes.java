package lacme.master;

import lacme.master.config.Reporter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of each section of a newOrder run, told in full when a signal ends the run
 * (issue 15: a signal during install reported one section and left the sysadmin to guess
 * about the others — installed, or still the old certificate?). Registered as a cleanup
 * action, so it speaks after the guarded install in progress has finished, and only when
 * the run was signalled; a normal run reports each section as it goes.
 */
final class Outcomes implements Cleanup.Action {
    private final Map<String, String> state = new LinkedHashMap<>();
    private final Cleanup cleanup;
    private final Reporter report;

    Outcomes(List<String> sections, Cleanup cleanup, Reporter report) {
        this.cleanup = cleanup;
        this.report = report;
        sections.forEach(s -> state.put(s, "interrupted before its certificate was installed; the old files are kept"));
    }

    synchronized void installed(String section) {
        state.put(section, "installed");
    }

    /** A section that failed, unless its files were installed already (then only notify failed). */
    synchronized void failed(String section) {
        if (!"installed".equals(state.get(section))) {
            state.put(section, "failed (see above); the old files are kept");
        }
    }

    @Override
    public synchronized void run() {
        if (cleanup.bySignal()) {
            state.forEach((s, what) -> report.warn("[" + s + "] " + what));
        }
    }
}
