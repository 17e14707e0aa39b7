package lacme.master.renew;

import java.time.Instant;

/**
 * What the next run does with one section and why: the one answer that {@code newOrder}
 * acts on and {@code lacme status} shows, so the two cannot disagree.
 *
 * @param section        the certificate section
 * @param due            true: order a certificate now
 * @param reason         one line saying why (e.g. "inside the ARI window", "Valid until …")
 * @param notAfter       the installed certificate's expiry, null when there is none (or unreadable)
 * @param windowStart    the CA's suggested window (ARI), null without ARI
 * @param windowEnd      end of that window, null without ARI
 * @param chosen         the moment renewal becomes due: the random point in the ARI window
 *                       (chosen once, remembered), or the fallback's threshold; null when due
 *                       for another reason (no certificate, --force, changed profile)
 * @param explanationUrl the CA's explanationURL (sanitised), or null
 * @param nextCheck      earliest time the window should be fetched again (Retry-After), or null
 */
public record Decision(String section, boolean due, String reason, Instant notAfter, Instant windowStart,
        Instant windowEnd, Instant chosen, String explanationUrl, Instant nextCheck) {
}
