package lacme.master.renew;

import lacme.master.config.PerlNumbers;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The renewal decision for one section, shared by {@code newOrder} and {@code status}.
 * In order of precedence:
 * <ol>
 * <li>{@code --force} renews; {@code --min-days N} renews when at most N days are left
 *     (lacme's semantics, nothing else is consulted);</li>
 * <li>no usable certificate installed: renew;</li>
 * <li>the section's {@code profile} differs from the one remembered at the last issuance: renew;</li>
 * <li>with ARI (RFC 9773): renew once now is past a random point inside the CA's suggested
 *     window, chosen once per certificate and window and remembered, so repeated runs agree
 *     and a fleet's renewals spread over the window; an explicit {@code min-days} in the
 *     section still renews when that few days are left (a sysadmin's upper bound);</li>
 * <li>without ARI: an explicit {@code min-days} as in lacme; else renew when less than a
 *     third of the lifetime remains (half for lifetimes under 10 days: a 6-day certificate
 *     would otherwise be renewed on every run under lacme's fixed 21 days).</li>
 * </ol>
 */
public final class RenewalPlanner {
    /** Below this lifetime the fallback renews at half-life instead of at two thirds. */
    public static final Duration SHORT_LIFETIME = Duration.ofDays(10);
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final Random random;

    public RenewalPlanner() {
        this(new SecureRandom());
    }

    /** With a given source of randomness (tests). */
    public RenewalPlanner(Random random) {
        this.random = random;
    }

    /** The decision and the section's state entry to remember after it. */
    public record Outcome(Decision decision, RenewalState.Entry entry) {
    }

    /**
     * The window remembered for {@code cert} while its Retry-After has not passed: then the
     * CA need not be asked (and, with nothing due, no client started at all); else null.
     */
    public static Window cachedWindow(RenewalState.Entry e, CurrentCert cert, Instant now) {
        if (e == null || cert == null || cert.ariId() == null || !cert.ariId().equals(e.ariId())
                || e.windowStart() == null || e.windowEnd() == null || e.nextCheck() == null
                || !now.isBefore(e.nextCheck()) || !e.windowStart().isBefore(e.windowEnd())) {
            return null;
        }
        return new Window(e.windowStart(), e.windowEnd(), e.explanationUrl(), e.nextCheck());
    }

    /**
     * Decides for one section.
     *
     * @param conf          the section's settings ({@code min-days}, {@code profile})
     * @param cert          the installed certificate, or null when there is none or it is unusable
     * @param certProblem   why {@code cert} is null when a file exists but is unusable, else null
     * @param minDaysOption --min-days, -1 for --force, null when not given
     * @param window        the ARI window (fresh or {@link #cachedWindow cached}), null without ARI
     * @param remembered    the section's state entry, or null
     * @param warn          receives a warning about a non-numeric min-days
     */
    public Outcome decide(String section, Map<String, String> conf, CurrentCert cert, String certProblem,
                          Integer minDaysOption, Window window, RenewalState.Entry remembered, Instant now,
                          Consumer<String> warn) {
        String profile = nonEmpty(conf.get("profile"));
        String lastProfile = remembered == null ? null : remembered.profile();
        Instant notAfter = cert == null ? null : cert.notAfter();
        if (cert == null) {
            return keep(new Decision(section, true, certProblem != null ? certProblem + ", renewing"
                    : "no certificate installed", null, null, null, null, null, null), remembered, profile);
        }
        if (minDaysOption != null) {
            Instant threshold = notAfter.minusSeconds((long) minDaysOption * 86400);
            boolean due = minDaysOption < 0 || !now.isBefore(threshold);
            return keep(new Decision(section, due, minDaysOption < 0 ? "forced (--force)" : due
                    ? "at most " + minDaysOption + " days left (--min-days)" : valid(notAfter),
                    notAfter, null, null, minDaysOption < 0 ? null : threshold, null, null), remembered, lastProfile);
        }
        if (remembered != null && profile != null && !profile.equals(lastProfile)) {
            return keep(new Decision(section, true, "profile changed from "
                    + (lastProfile == null ? "the CA's default" : "'" + lastProfile + "'") + " to '" + profile + "'",
                    notAfter, null, null, null, null, null), remembered, lastProfile);
        }
        Double minDays = explicitMinDays(section, conf, warn);
        Instant minDaysThreshold = minDays == null ? null : minus(notAfter, minDays);
        if (window != null) {
            Instant chosen = remembered != null && cert.ariId() != null && cert.ariId().equals(remembered.ariId())
                    && window.start().equals(remembered.windowStart()) && window.end().equals(remembered.windowEnd())
                    && remembered.chosen() != null ? remembered.chosen() : pick(window);
            boolean inWindow = !now.isBefore(chosen);
            boolean byMinDays = minDaysThreshold != null && !now.isBefore(minDaysThreshold);
            String reason = inWindow ? "inside the ARI window " + span(window) + " (renewal time " + UTC.format(chosen)
                    + ")" : byMinDays ? "at most " + fmt(minDays) + " days left (min-days)"
                    : valid(notAfter) + " (ARI window " + span(window) + ", renewal time " + UTC.format(chosen) + ")";
            RenewalState.Entry e = new RenewalState.Entry(cert.ariId(), window.start(), window.end(), chosen,
                    window.explanationUrl(), window.retryAfter(), lastProfile == null ? profile : lastProfile);
            return new Outcome(new Decision(section, inWindow || byMinDays, reason, notAfter, window.start(),
                    window.end(), chosen, window.explanationUrl(), window.retryAfter()), e);
        }
        Instant threshold;
        String rule;
        if (minDaysThreshold != null) {
            threshold = minDaysThreshold;
            rule = "at most " + fmt(minDays) + " days left (min-days)";
        } else {
            Duration life = cert.lifetime();
            boolean shortLived = life.compareTo(SHORT_LIFETIME) < 0;
            threshold = notAfter.minus(shortLived ? life.dividedBy(2) : life.dividedBy(3));
            rule = "less than " + (shortLived ? "half" : "a third") + " of its lifetime left";
        }
        boolean due = !now.isBefore(threshold);
        return keep(new Decision(section, due, due ? rule : valid(notAfter), notAfter, null, null, threshold, null,
                null), remembered, lastProfile == null ? profile : lastProfile);
    }

    /**
     * The entry to remember after a certificate was issued for a section: the profile it was
     * ordered with; the window is forgotten (it belonged to the replaced certificate).
     */
    public static RenewalState.Entry issued(String profile) {
        return new RenewalState.Entry(null, null, null, null, null, null, profile);
    }

    private static Outcome keep(Decision d, RenewalState.Entry remembered, String profile) {
        RenewalState.Entry e = remembered == null ? new RenewalState.Entry(null, null, null, null, null, null, profile)
                : remembered;
        return new Outcome(d, e);
    }

    /** A uniformly random second in [start, end). */
    private Instant pick(Window w) {
        long span = Duration.between(w.start(), w.end()).toMillis();
        return w.start().plusMillis(span <= 1 ? 0 : (long) (random.nextDouble() * span));
    }

    /** The section's min-days when set (Perl's numification, with lacme's warning), else null. */
    private static Double explicitMinDays(String section, Map<String, String> conf, Consumer<String> warn) {
        String v = conf.get("min-days");
        if (v == null) {
            return null;
        }
        double d = PerlNumbers.numify(v);
        if (!PerlNumbers.isNumeric(v)) {
            warn.accept("[" + section + "] Warning: min-days: \"" + v + "\" isn't numeric, read as " + fmt(d));
        }
        return d;
    }

    /** notAfter - days; lacme renews always for a negative, NaN or infinite value (Instant.MIN). */
    private static Instant minus(Instant notAfter, double days) {
        if (!(days >= 0) || days * 86400 > 1e15) {
            return Instant.MIN;
        }
        return notAfter.minusSeconds((long) Math.ceil(days * 86400));
    }

    private static String valid(Instant notAfter) {
        return "Valid until " + UTC.format(notAfter);
    }

    private static String span(Window w) {
        return UTC.format(w.start()) + " … " + UTC.format(w.end());
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
