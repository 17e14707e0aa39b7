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
 * the run was cut short: by a signal, by a child the run cannot do without
 * ({@link Cleanup#failOnExit}), or by a lost lacme-accountd, which fails every section alike
 * and so gets one line for the run, then this report ({@link #firstAccountdLoss}); a normal
 * run reports each section as it goes.
 */
final class Outcomes implements Cleanup.Action {
    private final Map<String, String> state = new LinkedHashMap<>();
    private final Cleanup cleanup;
    private final Reporter report;
    private boolean tell;

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

    /**
     * True when a section's failure is the client's word that lacme-accountd no longer signs
     * (its connection closed: accountd died, or refused and hung up): every other section then
     * fails the same way. The phrases are the client's (lacme.client.AccountdSigner).
     */
    static boolean accountdLost(String error) {
        return error.contains("lacme-accountd did not sign ") || error.contains("lacme-accountd connection unusable");
    }

    /**
     * Records a section lost with lacme-accountd; true for the first only, whose line is the
     * run's, so that the others are told in this report instead of a line each.
     */
    synchronized boolean firstAccountdLoss(String section) {
        boolean first = !tell;
        tell = true;
        return first;
    }

    @Override
    public synchronized void run() {
        if (tell || cleanup.signalled()) {
            state.forEach((s, what) -> report.warn("[" + s + "] " + what));
        }
    }
}
