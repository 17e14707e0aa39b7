package lacme.client.acme;

import lacme.common.proto.ControlCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One certificate order, RFC 8555 §7.4: newOrder, answer every pending challenge (the type
 * chosen by {@link ChallengeChoice})
 * (all before polling, so validations run in parallel), poll the order until ready,
 * finalize with the master's CSR, poll until valid, download the chain and its
 * alternates. The challenge files and dns-01 records are removed whatever the outcome. One {@link Poller}
 * (the {@code timeout}) bounds every wait of the order, polls and retries alike.
 *
 * <p>Transient failures (see {@link RetryPolicy}): fetches are repeated by the
 * connection. A challenge answer or a finalize that failed in a way that leaves open
 * whether the CA acted on it is not replayed blindly: the authorization (resp. the order)
 * is read first, and the request is sent again only while it still shows the challenge
 * {@code pending} (resp. the order {@code ready}); otherwise the order proceeds from the
 * state read. newOrder itself is never repeated after such a failure. An alternate chain
 * that cannot be downloaded is skipped with a warning: the certificate is issued, and the
 * chain the CA offers first is enough.
 */
final class OrderProcess {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    private final AcmeClient client;
    private final AcmeConnection conn;
    private final Poller poller;
    private final Path challengeDir;
    /** Times a challenge answer or finalize is sent after its state was read again. */
    static final int MAX_RECOVERIES = 3;
    /** Alternate chains downloaded at most (Let's Encrypt offers one or two). */
    static final int MAX_ALTERNATES = 8;
    private final List<String> preference;
    private final String section;
    private String kid;
    private String label;

    /** Where dns-01 records are asked for; null: dns-01 is not answered. */
    private final TxtRecords dns;

    OrderProcess(AcmeClient client, Poller poller, Path challengeDir, List<String> preference, String section) {
        this(client, poller, challengeDir, preference, section, null);
    }

    OrderProcess(AcmeClient client, Poller poller, Path challengeDir, List<String> preference, String section,
                 TxtRecords dns) {
        this.dns = dns;
        this.preference = preference;
        this.section = section;
        this.client = client;
        this.conn = client.connection();
        this.poller = poller;
        this.challengeDir = challengeDir;
    }

    AcmeClient.IssuedChain run(List<AcmeClient.Identifier> ids, byte[] csrDer)
            throws AcmeException, InterruptedException {
        return run(ids, csrDer, null, null);
    }

    /**
     * An order with the optional {@code profile} (checked against the directory's
     * meta.profiles first: an unknown one fails with the list the CA offers) and the ARI id
     * of the certificate it {@code replaces} (sent only when the CA offers renewalInfo; an
     * {@code alreadyReplaced} answer, a certificate of another account, or a CA error, orders once more
     * without it, with a warning: the renewal matters more than the link).
     */
    AcmeClient.IssuedChain run(List<AcmeClient.Identifier> ids, byte[] csrDer, String profile, String replaces)
            throws AcmeException, InterruptedException {
        if (ids.isEmpty()) {
            throw new AcmeException("order without identifiers");
        }
        label = ids.stream().map(Object::toString).collect(Collectors.joining(", "));
        kid = client.accountUrl(poller);
        List<Map<String, Object>> idents = new ArrayList<>();
        for (AcmeClient.Identifier i : ids) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", i.type());
            m.put("value", i.value());
            idents.add(m);
        }
        Directory dir = conn.directory(poller);
        if (profile != null && !dir.profiles().containsKey(profile)) {
            throw new AcmeException("unknown profile '" + Problem.clean(profile) + "'; the CA offers: "
                    + (dir.profiles().isEmpty() ? "no profiles" : String.join(", ", dir.profiles().keySet())));
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("identifiers", idents);
        if (profile != null) {
            payload.put("profile", profile);
        }
        if (replaces != null && dir.renewalInfo() != null) {
            payload.put("replaces", replaces);
        }
        LOG.debug("newOrder for {}{}{}", label, profile == null ? "" : ", profile " + Problem.clean(profile),
                payload.containsKey("replaces") ? ", replaces " + Problem.clean(replaces) : "");
        AcmeResponse r;
        try {
            r = conn.post(dir.newOrder(), payload, kid, AcmeConnection.JSON, RetryPolicy.Replay.IF_NOT_PROCESSED,
                    poller);
        } catch (AcmeException e) {
            // serverInternal: Pebble 2.10's answer when it no longer links the certificate to
            // an order (seen after a killed run, issue 15's fault matrix): the renewal still
            // matters. A 500 arrives as a transient failure (not replayed: the CA may have acted
            // on it) whose cause is the problem; ordering again without 'replaces' at worst
            // leaves the CA one more pending order.
            Problem p = e instanceof AcmeProblemException ap ? ap.problem()
                    : e.getCause() instanceof AcmeProblemException cp ? cp.problem() : null;
            if (!payload.containsKey("replaces") || p == null || !(p.is("alreadyReplaced")
                    || p.is("unauthorized") || p.is("malformed") || p.is("serverInternal"))) {
                throw e;
            }
            LOG.warn("Warning: the CA refused 'replaces' for {} ({}); ordering without it", label, e.getMessage());
            payload.remove("replaces");
            r = conn.post(dir.newOrder(), payload, kid, AcmeConnection.JSON, RetryPolicy.Replay.IF_NOT_PROCESSED,
                    poller);
        }
        URI location = r.location();
        if (location == null) {
            throw new AcmeException("newOrder answered without a Location header");
        }
        Order order = Order.parse(location, r.json());
        LOG.debug("order {} for {}", location, label);
        try (ChallengeFiles files = new ChallengeFiles(challengeDir);
             DnsChallenges records = new DnsChallenges(dns)) {
            if (order.status() == Status.PENDING) {
                answerChallenges(order, files, records);
            }
            order = awaitOrder(order, null, Status.PENDING, "the challenges of " + label);
            AcmeResponse last = null;
            if (order.status() == Status.READY) {
                last = finalizeOrder(order, csrDer);
                order = Order.parse(location, last.json());
            }
            order = awaitOrder(order, last, Status.PROCESSING, "the certificate for " + label);
            if (order.status() != Status.VALID) {
                throw invalid(order);
            }
        }
        return download(order.certificate());
    }

    /**
     * Finalizes a ready order; returns the response that tells the order's state (the
     * finalize answer, or the order as read after an interrupted finalize).
     */
    private AcmeResponse finalizeOrder(Order order, byte[] csrDer) throws AcmeException {
        String csr = Base64.getUrlEncoder().withoutPadding().encodeToString(csrDer);
        for (int round = 1;; round++) {
            try {
                return conn.post(order.finalizeUrl(), Map.of("csr", csr), kid, AcmeConnection.JSON,
                        RetryPolicy.Replay.IF_NOT_PROCESSED, poller);
            } catch (TransientFailureException e) {
                if (!e.mayHaveBeenProcessed() || round > MAX_RECOVERIES) {
                    throw e;
                }
                LOG.warn("{}; the CA may have acted on it: reading the state of the order for {}", e.failure(), label);
                AcmeResponse now = conn.postAsGet(order.location(), kid, AcmeConnection.JSON, poller);
                Order o = Order.parse(order.location(), now.json());
                if (o.status() != Status.READY) {
                    LOG.info("the order for {} is {}: the finalize took effect", label, o.status().json());
                    return now;
                }
                LOG.info("the order for {} is still ready: finalizing it again", label);
            }
        }
    }

    /**
     * Answers one challenge. After a failure that leaves open whether the CA took the
     * answer, the authorization is read: the answer is sent again only while the challenge
     * is still pending.
     */
    private void answer(URI authorization, Challenge c) throws AcmeException {
        for (int round = 1;; round++) {
            try {
                conn.post(c.url(), Map.of(), kid, AcmeConnection.JSON, RetryPolicy.Replay.IF_NOT_PROCESSED, poller);
                return;
            } catch (TransientFailureException e) {
                if (!e.mayHaveBeenProcessed() || round > MAX_RECOVERIES) {
                    throw e;
                }
                LOG.warn("{}; the CA may have acted on it: reading the authorization's state", e.failure());
                Authorization a = fetchAuthorization(authorization);
                Challenge now = null;
                for (Challenge x : a.challenges()) {
                    if (c.url().equals(x.url())) {
                        now = x;
                    }
                }
                if (a.status() != Status.PENDING || now == null || now.status() != Status.PENDING) {
                    LOG.info("{} is {} (challenge {}): the answer took effect", a.identifier(), a.status().json(),
                            now == null ? "gone" : now.status().json());
                    return;
                }
                LOG.info("the challenge for {} is still pending: answering it again", a.identifier());
            }
        }
    }

    /** Fetches every authorization, writes the files of the pending ones, then answers them all. */
    private void answerChallenges(Order order, ChallengeFiles files, DnsChallenges records)
            throws AcmeException, InterruptedException {
        String thumbprint = conn.key().thumbprint();
        List<Map.Entry<URI, Challenge>> answer = new ArrayList<>();
        for (URI url : order.authorizations()) {
            Authorization a = fetchAuthorization(url);
            switch (a.status()) {
                case VALID:
                    LOG.debug("{}: already valid", a.identifier());
                    break;
                case PENDING:
                    Challenge c = ChallengeChoice.choose(a, preference, section,
                            dns == null ? ChallengeChoice.ANSWERABLE : ChallengeChoice.WITH_DNS);
                    if (c.status() == Status.PENDING && Challenge.DNS_01.equals(c.type())) {
                        records.publish(new AcmeClient.Identifier(a.identifierType(), a.identifierValue()),
                                c.keyAuthorization(thumbprint), poller);
                        answer.add(Map.entry(url, c));
                    } else if (c.status() == Status.PENDING && Challenge.TLS_ALPN_01.equals(c.type())) {
                        if (a.wildcard()) {
                            throw new AcmeException("tls-alpn-01 cannot prove a wildcard: " + a.identifier());
                        }
                        files.writeAlpn(new AcmeClient.Identifier(a.identifierType(), a.identifierValue()),
                                c.keyAuthorization(thumbprint));
                        answer.add(Map.entry(url, c));
                    } else if (c.status() == Status.PENDING) {
                        files.write(c.token(), c.keyAuthorization(thumbprint));
                        answer.add(Map.entry(url, c));
                    }
                    break;
                default:
                    throw new AcmeException(a.failure());
            }
        }
        for (Map.Entry<URI, Challenge> c : answer) {
            answer(c.getKey(), c.getValue());
        }
    }

    private Authorization fetchAuthorization(URI url) throws AcmeException {
        return Authorization.parse(url, conn.postAsGet(url, kid, AcmeConnection.JSON, poller).json());
    }

    /**
     * Polls the order while its status is {@code waitingState} (or unknown), honouring the
     * Retry-After of the last response ({@code last}, may be null).
     */
    private Order awaitOrder(Order order, AcmeResponse last, Status waitingState, String what)
            throws AcmeException, InterruptedException {
        poller.newWait();
        while (order.status() == waitingState || order.status() == Status.UNKNOWN) {
            poller.pause(last == null ? Optional.empty() : last.retryAfter(), what);
            last = conn.postAsGet(order.location(), kid, AcmeConnection.JSON, poller);
            order = Order.parse(order.location(), last.json());
        }
        return order;
    }

    /** The error for an order that ended neither ready nor valid, with the authorizations' reasons. */
    private AcmeException invalid(Order order) {
        StringBuilder sb = new StringBuilder("order for " + label + " is " + order.status().json());
        if (order.error() != null) {
            sb.append(": ").append(order.error().toOneLine());
        }
        for (URI url : order.authorizations()) {
            try {
                Authorization a = fetchAuthorization(url);
                if (a.status() != Status.VALID) {
                    sb.append("; ").append(a.failure());
                }
            } catch (AcmeException e) {
                sb.append("; ").append(url).append(": ").append(e.getMessage());
            }
        }
        return new AcmeException(sb.toString());
    }

    /**
     * Downloads the chain, waiting while the CA answers 202 Accepted (as lacme does), and the
     * alternate chains it links to ({@code Link: rel="alternate"}, RFC 8555 §7.4.2): each
     * at most once, at most {@link #MAX_ALTERNATES}, and one that fails is skipped, as is one
     * that would take all the chains past {@link ControlCodec#MAX_TEXT} (the result must fit
     * in one control frame).
     */
    private AcmeClient.IssuedChain download(URI certificate) throws AcmeException, InterruptedException {
        AcmeResponse r = conn.postAsGet(certificate, kid, AcmeConnection.PEM_CHAIN, poller);
        poller.newWait();
        while (r.status() == 202) {
            poller.pause(r.retryAfter(), "the certificate for " + label);
            r = conn.postAsGet(certificate, kid, AcmeConnection.PEM_CHAIN, poller);
        }
        String chain = pem(r);
        int budget = ControlCodec.MAX_TEXT - chain.length();
        List<String> alternates = new ArrayList<>();
        Set<URI> seen = new HashSet<>(List.of(certificate));
        for (URI alt : r.links("alternate")) {
            if (!seen.add(alt)) {
                continue;
            }
            if (alternates.size() >= MAX_ALTERNATES) {
                LOG.warn("the CA offers more than {} alternate chains for {}; ignoring the rest", MAX_ALTERNATES,
                        label);
                break;
            }
            try {
                String p = pem(conn.postAsGet(alt, kid, AcmeConnection.PEM_CHAIN, poller));
                if (p.length() > budget) {
                    LOG.warn("alternate chain {} for {} skipped: the chains would exceed {} characters", alt, label,
                            ControlCodec.MAX_TEXT);
                } else if (!p.equals(chain) && !alternates.contains(p)) {
                    alternates.add(p);
                    budget -= p.length();
                }
            } catch (AcmeException e) {
                LOG.warn("alternate chain {} for {} skipped: {}", alt, label, e.getMessage());
            }
        }
        LOG.debug("certificate for {} downloaded ({} alternate chains)", label, alternates.size());
        return new AcmeClient.IssuedChain(chain, alternates);
    }

    private static String pem(AcmeResponse r) throws AcmeException {
        if (!r.mediaType().equals(AcmeConnection.PEM_CHAIN)) {
            throw new AcmeException("unexpected Content-Type '" + Problem.clean(r.mediaType()) + "' from " + r.url()
                    + " (" + AcmeConnection.PEM_CHAIN + " expected)");
        }
        String t = r.text();
        if (!t.contains("-----BEGIN CERTIFICATE-----")) {
            throw new AcmeException("no certificate in the chain from " + r.url());
        }
        return t;
    }
}
