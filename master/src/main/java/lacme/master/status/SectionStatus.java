package lacme.master.status;

import java.time.Instant;
import java.util.List;

/**
 * What {@code lacme status} knows about one certificate section, without any network: the
 * installed certificate (if any), and what the next {@code newOrder} run will do with it. Every
 * string that came from a certificate (names, issuer) is already sanitised: the CA chose it.
 *
 * @param section     the section's name
 * @param state       see {@link State}
 * @param file        the file read ({@code certificate-chain}, else {@code certificate}), or null
 * @param names       the certificate's subjectAltNames (DNS names, IP addresses), else the configured ones
 * @param keyType     e.g. {@code EC-P256}, {@code RSA-2048}; null without a readable certificate
 * @param issuer      the issuer's common name (its whole name when it has none); null likewise
 * @param notBefore   null without a readable certificate
 * @param notAfter    null without a readable certificate
 * @param fingerprint SHA-256 of the certificate (hex), null likewise; how a run tells a new issuance
 * @param ari         the ARI window and the chosen time, null when not known
 * @param due         true when the next run orders a certificate for this section
 * @param reason      why (one line)
 * @param nextRenewal when the section becomes due (now or earlier when {@code due}); null when never
 *                    (min-days negative … or nothing to renew: the section is unusable)
 */
public record SectionStatus(String section, State state, String file, List<String> names, String keyType,
                            String issuer, Instant notBefore, Instant notAfter, String fingerprint, Ari ari,
                            boolean due, String reason, Instant nextRenewal) {

    /** The condition of the installed certificate. */
    public enum State {
        /** A readable certificate that has not expired. */
        VALID,
        /** A readable certificate past its notAfter. */
        EXPIRED,
        /** No certificate file yet. */
        MISSING,
        /** A file that is not a readable PEM certificate. */
        UNREADABLE,
        /** Neither {@code certificate} nor {@code certificate-chain} is set: newOrder skips the section. */
        UNCONFIGURED;

        /** The lower-case name used in the text and JSON output. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** True when the section has no certificate a server could use now. */
        public boolean unusable() {
            return this != VALID;
        }
    }

    /**
     * ACME Renewal Information for the certificate (RFC 9773).
     *
     * @param start          the suggested window's start
     * @param end            its end
     * @param chosen         the random point inside it that newOrder renews at (remembered across runs)
     * @param explanationUrl the CA's explanation, sanitised, or null
     */
    public record Ari(Instant start, Instant end, Instant chosen, String explanationUrl) {
    }

    /** Whole days left until notAfter (negative once expired), or null without a certificate. */
    public Long daysLeft(Instant now) {
        return notAfter == null ? null : Math.floorDiv(notAfter.getEpochSecond() - now.getEpochSecond(), 86400L);
    }

    /** What the next run does: {@code renew}, {@code skip}, or {@code none} for an unconfigured section. */
    public String action() {
        return state == State.UNCONFIGURED ? "none" : due ? "renew" : "skip";
    }
}
