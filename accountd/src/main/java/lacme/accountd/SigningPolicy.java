package lacme.accountd;

import lacme.common.acme.AcmeRequest;
import lacme.common.acme.AcmeRequest.Kind;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Decides whether a request line is something accountd may sign. First the line must be an
 * ACME request (docs/protocol/accountd.md; {@link AcmeRequest} parses and classifies it
 * strictly, so accountd is never a signing oracle for arbitrary data) for this key's
 * algorithm. Then the request must be one the key's owner allowed (docs/security.md):
 * <ul>
 * <li>a key change or a deactivation is refused unless granted ({@code allow}, or
 * {@code --allow} given by lacme for {@code lacme account --deactivate} only): a
 * compromised client must not be able to hand the account to another key or destroy it;</li>
 * <li>with {@code origin} pinned, every {@code url} and {@code kid} must be on that
 * scheme://host:port, so the key is not used against another server;</li>
 * <li>with {@code identifiers} set, a new order may name only identifiers it matches, so one
 * key host can serve many servers, each limited to its names.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class SigningPolicy {
    private final String alg;
    private final Rules rules;

    /** What the configuration allows beyond the default; {@code origin}/{@code allowlist} null = no pin. */
    public record Rules(Set<Kind> allowed, Origin origin, IdentifierAllowlist allowlist) {
        /** Nothing beyond the default: no key change, no deactivation, no pins. */
        public static final Rules DEFAULT = new Rules(Set.of(), null, null);

        /** The kinds that may be granted; everything else is always signed. */
        public static final Set<Kind> GRANTABLE = Collections.unmodifiableSet(
                EnumSet.of(Kind.KEY_CHANGE, Kind.DEACTIVATION));

        public Rules {
            allowed = allowed.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(allowed));
        }
    }

    /** @param alg the account key's JWS algorithm; requests for any other are refused */
    public SigningPolicy(String alg) {
        this(alg, Rules.DEFAULT);
    }

    public SigningPolicy(String alg, Rules rules) {
        this.alg = alg;
        this.rules = rules;
    }

    /** A refused request; the message is the {@code NOSIGN [reason]} reason. */
    public static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String reason) {
            super(reason, null, false, false);
        }
    }

    /** An accepted request: the bytes to sign and what it is (for the log). */
    public record Request(byte[] signingInput, AcmeRequest acme) {
        public String url() {
            return acme.url();
        }

        public String nonce() {
            return acme.nonce();
        }

        public String kid() {
            return acme.kid();
        }

        public int payloadLength() {
            return acme.payloadLength();
        }
    }

    /** Checks one request line (without CR LF). */
    public Request check(String line) throws Refusal {
        AcmeRequest r;
        try {
            r = AcmeRequest.parse(line);
        } catch (AcmeRequest.MalformedException e) {
            throw new Refusal(AccountLog.printable(e.getMessage()));
        }
        if (!alg.equals(r.alg())) {
            throw new Refusal("invalid JWS Protected Header: alg " + AccountLog.printable(r.alg())
                    + " is not the account key's " + alg);
        }
        if (Rules.GRANTABLE.contains(r.kind()) && !rules.allowed().contains(r.kind())) {
            throw new Refusal(r.kind().label() + " not allowed (see 'allow' in lacme-accountd.conf): url="
                    + AccountLog.printable(r.url()));
        }
        if (rules.origin() != null) {
            rules.origin().check("url", r.url());
            if (r.kid() != null) {
                rules.origin().check("kid", r.kid());
            }
        }
        if (rules.allowlist() != null) {
            for (AcmeRequest.Identifier id : r.identifiers()) {
                if (!rules.allowlist().permits(id)) {
                    throw new Refusal("new-order identifier " + AccountLog.printable(id.toString())
                            + " is not in the 'identifiers' allowlist");
                }
            }
        }
        return new Request(line.getBytes(StandardCharsets.US_ASCII), r);
    }
}
