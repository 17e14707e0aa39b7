package lacme.common.proto;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The typed vocabulary of the master ⇄ client control channel (docs/protocol/control.md).
 * Master and client build and read only these; {@link ControlCodec} alone knows the member
 * names on the wire, so the two ends cannot drift apart, and every default is defined here once.
 */
public final class Control {
    /** The only protocol version. */
    public static final int VERSION = 1;
    /** lacme's default ACME server. */
    public static final String DEFAULT_SERVER = "https://acme-v02.api.letsencrypt.org/directory";
    /** lacme's default {@code timeout} (seconds); 0 means no deadline. */
    public static final long DEFAULT_TIMEOUT = 30;
    /** lacme's default {@code SSL_verify}: check the ACME server's certificate. */
    public static final boolean DEFAULT_SSL_VERIFY = true;
    /** Requests the client processes at once unless {@code [client] max-parallel} says otherwise. */
    public static final int DEFAULT_MAX_PARALLEL = 4;
    /** Largest {@code max_parallel}: more would only queue at the CA (and at accountd). */
    public static final int MAX_PARALLEL_LIMIT = 16;
    /**
     * What the master adds to the client's {@code timeout} before it gives up on an answer:
     * a request may outlast its deadline by its last HTTP exchange (at most 60 s), the
     * challenge-file cleanup and the signing round trips to accountd.
     */
    public static final Duration ANSWER_MARGIN = Duration.ofSeconds(120);
    /**
     * The master's wait for an answer when {@code timeout} is 0 (no client deadline): long
     * enough for any real order, but a silent client still cannot hold the run for ever.
     */
    public static final Duration UNBOUNDED_ANSWER_WAIT = Duration.ofHours(1);
    /**
     * The client's exit status when lacme-accountd closed their connection before its
     * greeting. The client prints nothing then: accountd has said why on its own stderr (e.g.
     * a missing key file), and the master, which knows whether it spawned that accountd,
     * decides whether anything needs adding (issue 15: one line, not three).
     */
    public static final int EXIT_ACCOUNTD_GONE = 3;

    private Control() {
    }

    /** A request's id, echoed in its result: a string, or an integer the client echoes as a number. */
    public record Id(String text, boolean numeric) {
        /** An id of the master's (a string). */
        public static Id of(String text) {
            return new Id(text, false);
        }

        // Written out: a record's generated equals/hashCode bootstrap through method handles at
        // their first call, ~20 ms of the master's CPU for the one map keyed by ids (issue 12).
        @Override
        public boolean equals(Object o) {
            return o instanceof Id i && numeric == i.numeric && java.util.Objects.equals(text, i.text);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(text) * 31 + Boolean.hashCode(numeric);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * The first frame, master → client: everything the client is configured with (it reads
     * no file). The accountd connection may travel with it as SCM_RIGHTS, or later with an
     * {@link AccountdHandover} (issue 13: a run with nothing due never connects to accountd).
     */
    public record Hello(String server, long timeout, boolean sslVerify, String sslVersion, String sslCipherList,
            String caPem, boolean debug, int maxParallel) {
        /** Checks the ranges; a null or empty server is lacme's default. */
        public Hello {
            if (server == null || server.isEmpty()) {
                server = DEFAULT_SERVER;
            }
            if (timeout < 0) {
                throw new IllegalArgumentException("negative timeout " + timeout);
            }
            if (maxParallel < 1 || maxParallel > MAX_PARALLEL_LIMIT) {
                throw new IllegalArgumentException("max_parallel " + maxParallel + " is not 1 … " + MAX_PARALLEL_LIMIT);
            }
        }

        /** A hello with the default {@code max_parallel}. */
        public Hello(String server, long timeout, boolean sslVerify, String sslVersion, String sslCipherList,
                String caPem, boolean debug) {
            this(server, timeout, sslVerify, sslVersion, sslCipherList, caPem, debug, DEFAULT_MAX_PARALLEL);
        }

        /**
         * How long the master waits for each answer: the client's deadline for one request plus
         * {@link #ANSWER_MARGIN}. With at most {@code max_parallel} requests in flight, each
         * bounded by the deadline, some answer is always due within that time.
         */
        public Duration answerWait() {
            return (timeout == 0 ? UNBOUNDED_ANSWER_WAIT : Duration.ofSeconds(timeout)).plus(ANSWER_MARGIN);
        }
    }

    /** The kinds of request, each with its own result type. */
    public enum Kind { ACCOUNT, ORDER, REVOKE, RENEWAL_INFO }

    /** A master → client request; answered by exactly one {@link Result} with the same id. */
    public sealed interface Request permits AccountRequest, OrderRequest, RevokeRequest, Invalid, RenewalInfoRequest,
            AccountdHandover {
        Id id();

        /** The kind, which says what its result carries; null for an {@link Invalid} request or a handover. */
        Kind kind();
    }

    /** An account operation (lacme account). */
    public record AccountRequest(Id id, boolean register, boolean tosAgreed, boolean deactivate,
            List<String> contacts) implements Request {
        public AccountRequest {
            contacts = List.copyOf(contacts);
        }

        @Override
        public Kind kind() {
            return Kind.ACCOUNT;
        }
    }

    /** One ACME identifier of an order. */
    public record Identifier(String type, String value) {
    }

    /** The challenge preference of a section that sets none: lacme 0.8.2 answers http-01 only. */
    public static final List<String> DEFAULT_CHALLENGES = List.of("http-01");

    /**
     * Issue one certificate for {@code section} (named in the client's log and errors only),
     * answering each authorization with the first type of {@code challenges} the CA offers
     * and the client can answer (the section's {@code challenge} setting, in order), with the
     * optional ACME {@code profile} and the ARI identifier of the certificate it {@code replaces}
     * (RFC 9773 §5; the client sends it only to a CA that offers renewalInfo).
     */
    public record OrderRequest(Id id, String section, List<Identifier> identifiers, byte[] csr,
            List<String> challenges, String profile, String replaces) implements Request {
        public OrderRequest {
            identifiers = List.copyOf(identifiers);
            challenges = challenges == null || challenges.isEmpty() ? DEFAULT_CHALLENGES : List.copyOf(challenges);
        }

        /** An order with the default preference ({@link #DEFAULT_CHALLENGES}), no profile or replaces. */
        public OrderRequest(Id id, String section, List<Identifier> identifiers, byte[] csr) {
            this(id, section, identifiers, csr, DEFAULT_CHALLENGES, null, null);
        }

        /** An order with a challenge preference, no profile or replaces. */
        public OrderRequest(Id id, String section, List<Identifier> identifiers, byte[] csr, List<String> challenges) {
            this(id, section, identifiers, csr, challenges, null, null);
        }

        /** An order with the default preference and a profile and/or replaced certificate. */
        public OrderRequest(Id id, String section, List<Identifier> identifiers, byte[] csr, String profile,
                String replaces) {
            this(id, section, identifiers, csr, DEFAULT_CHALLENGES, profile, replaces);
        }

        @Override
        public Kind kind() {
            return Kind.ORDER;
        }
    }

    /** Revoke one certificate (DER), with an optional RFC 5280 reason code. */
    public record RevokeRequest(Id id, byte[] certificate, Integer reason) implements Request {
        @Override
        public Kind kind() {
            return Kind.REVOKE;
        }
    }

    /**
     * A request the client received with a usable id but an unknown op or malformed members:
     * not a protocol violation, it is answered with a {@link Failure} naming the problem, so
     * one bad request cannot stop the others.
     */
    public record Invalid(Id id, String error) implements Request {
        @Override
        public Kind kind() {
            return null;
        }
    }

    /** A client → master answer. */
    public sealed interface Result permits AccountResult, OrderResult, RevokeResult, Failure, RenewalInfoResult {
        Id id();
    }

    /** The account object as the CA returned it (JSON text) and its URL. */
    public record AccountResult(Id id, String account, String location) implements Result {
    }

    /** The certificate chain (PEM) and the alternate chains the CA offered (PEM each). */
    public record OrderResult(Id id, String chain, List<String> alternates) implements Result {
        public OrderResult {
            alternates = List.copyOf(alternates);
        }
    }

    /** A completed revocation. */
    public record RevokeResult(Id id) implements Result {
    }

    /** A failed request of any kind, with a one-line reason. */
    public record Failure(Id id, String error) implements Result {
    }

    // ---- renewal information (RFC 9773) and the late accountd connection (issue 13) ----

    /** Most certificates one {@code renewal_info} request may ask about (and its answer carry). */
    public static final int MAX_RENEWAL_INFO = 256;
    /** Longest ARI CertID accepted (RFC 9773 §4.1: two base64url parts; AKI and serial are ≤ 64 bytes). */
    public static final int MAX_ARI_ID = 200;
    /** Retry-After when the CA sends none (RFC 9773 §4.3: clients poll about every six hours). */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofHours(6);
    /** Shortest Retry-After honoured: a hostile CA must not make every timer run ask again. */
    public static final Duration MIN_RETRY_AFTER = Duration.ofMinutes(1);
    /** Longest Retry-After honoured: a hostile CA must not silence ARI for weeks (RFC 9773 §4.3.3). */
    public static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

    /** True when {@code id} has the form of an ARI CertID (base64url "." base64url, bounded). */
    public static boolean isAriId(String id) {
        return id != null && id.length() <= MAX_ARI_ID && id.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    }

    /**
     * Ask the CA's renewalInfo (an unauthenticated GET per certificate, RFC 9773 §4.2: no
     * accountd needed) about the certificates with these ARI CertIDs, in this order.
     */
    public record RenewalInfoRequest(Id id, List<String> ariIds) implements Request {
        public RenewalInfoRequest {
            ariIds = List.copyOf(ariIds);
            if (ariIds.isEmpty() || ariIds.size() > MAX_RENEWAL_INFO) {
                throw new IllegalArgumentException("renewal_info asks about 1 … " + MAX_RENEWAL_INFO + " certificates");
            }
            for (String a : ariIds) {
                if (!isAriId(a)) {
                    throw new IllegalArgumentException("not an ARI CertID: " + a);
                }
            }
        }

        @Override
        public Kind kind() {
            return Kind.RENEWAL_INFO;
        }
    }

    /**
     * The CA's answer about one certificate: the suggested window and when to ask again
     * ({@code retryAfter}, already clamped to {@link #MIN_RETRY_AFTER} … {@link #MAX_RETRY_AFTER}),
     * with the optional explanationURL; or, when that one GET failed, {@code error} alone.
     */
    public record RenewalInfo(String ariId, Instant start, Instant end, String explanationUrl, Duration retryAfter,
            String error) {
        public RenewalInfo {
            if (error == null && (start == null || end == null || !start.isBefore(end) || retryAfter == null)) {
                throw new IllegalArgumentException("renewal window " + start + " … " + end + " is not a window");
            }
        }

        /** A window. */
        public static RenewalInfo window(String ariId, Instant start, Instant end, String explanationUrl,
                Duration retryAfter) {
            return new RenewalInfo(ariId, start, end, explanationUrl, retryAfter, null);
        }

        /** A failed look-up. */
        public static RenewalInfo failed(String ariId, String error) {
            return new RenewalInfo(ariId, null, null, null, null, error);
        }
    }

    /**
     * The answer to a {@link RenewalInfoRequest}: {@code offered} false when the CA's directory
     * has no renewalInfo (then {@code answers} is empty: the master falls back to lifetimes);
     * else one answer per certificate asked about, in the request's order.
     */
    public record RenewalInfoResult(Id id, boolean offered, List<RenewalInfo> answers) implements Result {
        public RenewalInfoResult {
            answers = List.copyOf(answers);
        }
    }

    /**
     * Master → client, no id and no answer: the lacme-accountd connection, as one SCM_RIGHTS
     * descriptor, sent once something is due (at most once, and never after a hello that
     * carried one). An account, order or revoke request before it is a protocol error.
     */
    public record AccountdHandover() implements Request {
        @Override
        public Id id() {
            return null;
        }

        @Override
        public Kind kind() {
            return null;
        }
    }

    // ---- dns-01: the client's requests to the master (issue 14) ---------------------------

    /** What the client asks of the master for a dns-01 challenge: publish or withdraw a TXT record. */
    public enum DnsAction {
        ADD("add"), REMOVE("remove");

        private final String wire;

        DnsAction(String wire) {
            this.wire = wire;
        }

        /** The member value on the wire. */
        public String wire() {
            return wire;
        }
    }

    /**
     * Client → master: "set (or remove) the TXT record {@code name} = {@code value} for the
     * order {@code order}" (the id of a pending {@link OrderRequest}). The client only asks:
     * the master checks the name against that order's section and runs the section's
     * {@code dns-hook} itself. {@code id} is the client's own, echoed in the {@link DnsAnswer}.
     */
    public record DnsRequest(Id id, Id order, DnsAction action, String name, String value) {
    }

    /** Master → client: the answer to a {@link DnsRequest}; {@code error} null means done. */
    public record DnsAnswer(Id id, String error) {
        /** True when the record was published (resp. removed). */
        public boolean done() {
            return error == null;
        }
    }
}
