package lacme.client.acme;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One certificate order, RFC 8555 §7.4: newOrder, answer every pending http-01 challenge
 * (all before polling, so validations run in parallel), poll the order until ready,
 * finalize with the master's CSR, poll until valid, download the chain and its
 * alternates. The challenge files are removed whatever the outcome.
 */
final class OrderProcess {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    private final AcmeClient client;
    private final AcmeConnection conn;
    private final Poller poller;
    private final Path challengeDir;
    private String kid;
    private String label;

    OrderProcess(AcmeClient client, Poller poller, Path challengeDir) {
        this.client = client;
        this.conn = client.connection();
        this.poller = poller;
        this.challengeDir = challengeDir;
    }

    AcmeClient.IssuedChain run(List<AcmeClient.Identifier> ids, byte[] csrDer)
            throws AcmeException, InterruptedException {
        if (ids.isEmpty()) {
            throw new AcmeException("order without identifiers");
        }
        label = ids.stream().map(Object::toString).collect(Collectors.joining(", "));
        kid = client.accountUrl();
        List<Map<String, Object>> idents = new ArrayList<>();
        for (AcmeClient.Identifier i : ids) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", i.type());
            m.put("value", i.value());
            idents.add(m);
        }
        AcmeResponse r = conn.post(conn.directory().newOrder(), Map.of("identifiers", idents), kid, AcmeConnection.JSON);
        URI location = r.location();
        if (location == null) {
            throw new AcmeException("newOrder answered without a Location header");
        }
        Order order = Order.parse(location, r.json());
        LOG.debug("order {} for {}", location, label);
        try (ChallengeFiles files = new ChallengeFiles(challengeDir)) {
            if (order.status() == Status.PENDING) {
                answerChallenges(order, files);
            }
            order = awaitOrder(order, null, Status.PENDING, "the challenges of " + label);
            AcmeResponse last = null;
            if (order.status() == Status.READY) {
                String csr = Base64.getUrlEncoder().withoutPadding().encodeToString(csrDer);
                last = conn.post(order.finalizeUrl(), Map.of("csr", csr), kid, AcmeConnection.JSON);
                order = Order.parse(location, last.json());
            }
            order = awaitOrder(order, last, Status.PROCESSING, "the certificate for " + label);
            if (order.status() != Status.VALID) {
                throw invalid(order);
            }
        }
        return download(order.certificate());
    }

    /** Fetches every authorization, writes the files of the pending ones, then answers them all. */
    private void answerChallenges(Order order, ChallengeFiles files) throws AcmeException {
        String thumbprint = conn.key().thumbprint();
        List<Challenge> answer = new ArrayList<>();
        for (URI url : order.authorizations()) {
            Authorization a = fetchAuthorization(url);
            switch (a.status()) {
                case VALID:
                    LOG.debug("{}: already valid", a.identifier());
                    break;
                case PENDING:
                    Challenge c = a.challenge(Challenge.HTTP_01);
                    if (c == null) {
                        throw new AcmeException("no 'http-01' challenge offered for " + a.identifier());
                    }
                    if (c.status() == Status.PENDING) {
                        files.write(c.token(), c.keyAuthorization(thumbprint));
                        answer.add(c);
                    }
                    break;
                default:
                    throw new AcmeException(a.failure());
            }
        }
        for (Challenge c : answer) {
            conn.post(c.url(), Map.of(), kid, AcmeConnection.JSON);
        }
    }

    private Authorization fetchAuthorization(URI url) throws AcmeException {
        return Authorization.parse(url, conn.postAsGet(url, kid, AcmeConnection.JSON).json());
    }

    /**
     * Polls the order while its status is {@code waitingState} (or unknown), honouring the
     * Retry-After of the last response ({@code last}, may be null).
     */
    private Order awaitOrder(Order order, AcmeResponse last, Status waitingState, String what)
            throws AcmeException, InterruptedException {
        while (order.status() == waitingState || order.status() == Status.UNKNOWN) {
            poller.pause(last == null ? Optional.empty() : last.retryAfter(), what);
            last = conn.postAsGet(order.location(), kid, AcmeConnection.JSON);
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

    private AcmeClient.IssuedChain download(URI certificate) throws AcmeException {
        AcmeResponse r = conn.postAsGet(certificate, kid, AcmeConnection.PEM_CHAIN);
        String chain = pem(r);
        List<String> alternates = new ArrayList<>();
        for (URI alt : r.links("alternate")) {
            alternates.add(pem(conn.postAsGet(alt, kid, AcmeConnection.PEM_CHAIN)));
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
