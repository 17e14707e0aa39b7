package lacme.client.acme;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three things lacme asks of an ACME client — account operations, certificate orders,
 * revocations — on top of one {@link AcmeConnection}. Safe for concurrent orders: the
 * account URL ({@code kid}) is looked up once and shared.
 */
public final class AcmeClient {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");

    private final AcmeConnection conn;
    private final Path challengeDir;
    private final Duration timeout;
    private final Poller.Clock clock;
    private String kid;

    /**
     * @param greetingKid the account URL accountd announced (its {@code keyid}), or null
     * @param timeout     deadline of each operation (order, account operation, revocation):
     *                    bounds its polls and retries (zero: none)
     */
    public AcmeClient(AcmeConnection conn, String greetingKid, Path challengeDir, Duration timeout, Poller.Clock clock) {
        this.conn = conn;
        this.kid = greetingKid;
        this.challengeDir = challengeDir;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** An identifier of an order, e.g. {@code dns}/{@code example.org}. */
    public record Identifier(String type, String value) {
        @Override
        public String toString() {
            return Problem.clean(type + ":" + value);
        }
    }

    /** The account object as the CA returned it, and its URL. */
    public record AccountInfo(String json, URI location) {
    }

    /** A downloaded chain (PEM) and the alternate chains the CA offered. */
    public record IssuedChain(String chain, List<String> alternates) {
    }

    /**
     * The CA's renewal windows for these ARI CertIDs ({@link RenewalInfoLookup}), all within
     * one operation's deadline; null when the directory offers no renewalInfo.
     */
    public List<lacme.common.proto.Control.RenewalInfo> renewalInfo(List<String> ariIds) throws AcmeException {
        return RenewalInfoLookup.fetch(conn, ariIds, budget());
    }

    /** Fetches the directory and a first nonce within one operation's deadline (see AcmeConnection#prefetch). */
    public void prefetch() throws AcmeException {
        conn.prefetch(budget());
    }

    /** The account URL accountd announced in its greeting (it arrives after hello; issue 13). */
    public synchronized void attachAccount(String greetingKid) {
        if (kid == null) {
            kid = greetingKid;
        }
    }

    public AcmeConnection connection() {
        return conn;
    }

    /** A fresh deadline for one operation. */
    Poller budget() {
        return new Poller(timeout, clock);
    }

    /**
     * The account URL for {@code kid}-signed requests: accountd's keyid, else a
     * {@code newAccount} lookup with {@code onlyReturnExisting} (once per process).
     */
    public synchronized String accountUrl(Poller budget) throws AcmeException {
        if (kid == null) {
            AcmeResponse r = conn.post(conn.directory(budget).newAccount(), Map.of("onlyReturnExisting", true), null,
                    AcmeConnection.JSON, RetryPolicy.Replay.SAFE, budget);
            URI loc = r.location();
            if (loc == null) {
                throw new AcmeException("newAccount answered without a Location header");
            }
            kid = loc.toString();
            LOG.debug("Key ID: {}", kid);
        }
        return kid;
    }

    /**
     * lacme's {@code account} command: look up (or with {@code register}, create) the
     * account, then update its contacts / deactivate it, or fetch it with POST-as-GET.
     * newAccount and a contact update are repeated after transient failures (a repetition
     * changes nothing); a deactivation only when the CA certainly did not act on it.
     */
    public AccountInfo account(boolean register, boolean tosAgreed, boolean deactivate, List<String> contacts)
            throws AcmeException {
        Poller budget = budget();
        Directory dir = conn.directory(budget);
        Map<String, Object> req = new LinkedHashMap<>();
        if (!contacts.isEmpty()) {
            req.put("contact", contacts);
        }
        if (!register) {
            req.put("onlyReturnExisting", true);
        }
        if (tosAgreed) {
            req.put("termsOfServiceAgreed", true);
        }
        if (register) {
            LOG.info("Requesting new registration{}", contacts.isEmpty() ? "" : " for " + String.join(", ", contacts));
        }
        if (dir.termsOfService() != null) {
            LOG.info("Terms of Service: {}", Problem.clean(dir.termsOfService()));
        }
        // on stderr like the Terms of Service, so that stdout stays the account's JSON; the
        // names and descriptions were cleaned when the directory was parsed
        dir.profiles().forEach((name, description) -> LOG.info("Profile {}: {}", name, description));
        AcmeResponse r;
        try {
            r = conn.post(dir.newAccount(), req, null, AcmeConnection.JSON, RetryPolicy.Replay.SAFE, budget);
        } catch (AcmeProblemException e) {
            if (e.problem().is("accountDoesNotExist")) {
                throw new AcmeException(e.getMessage() + "; register it with 'lacme account --register'", e);
            }
            throw e;
        }
        URI loc = r.location();
        if (loc == null) {
            throw new AcmeException("newAccount answered without a Location header");
        }
        synchronized (this) {
            kid = loc.toString();
        }
        LOG.info("Key ID: {}", loc);
        Map<String, Object> update = new LinkedHashMap<>();
        if (!contacts.isEmpty()) {
            update.put("contact", contacts);
        }
        if (deactivate) {
            update.put("status", "deactivated");
        }
        AcmeResponse a;
        try {
            a = update.isEmpty()
                    ? conn.postAsGet(loc, loc.toString(), AcmeConnection.JSON, budget)
                    : conn.post(loc, update, loc.toString(), AcmeConnection.JSON,
                            deactivate ? RetryPolicy.Replay.IF_NOT_PROCESSED : RetryPolicy.Replay.SAFE, budget);
        } catch (TransientFailureException e) {
            if (deactivate && e.mayHaveBeenProcessed()) {
                throw new AcmeException(e.getMessage() + "; the account may be deactivated already:"
                        + " 'lacme account' shows its state", e);
            }
            throw e;
        }
        Map<String, Object> obj = a.json(); // checks the media type and that it is an object
        if (deactivate) {
            LOG.info("Account {} is now {}", loc, Problem.clean(String.valueOf(obj.get("status"))));
        }
        return new AccountInfo(a.text(), loc);
    }

    /** Issues one certificate answering http-01 only; see {@link OrderProcess}. */
    public IssuedChain order(List<Identifier> identifiers, byte[] csrDer) throws AcmeException, InterruptedException {
        return order(identifiers, csrDer, List.of(Challenge.HTTP_01), null, null, null);
    }

    /**
     * Issues one certificate answering, per authorization, the first type of {@code preference}
     * offered and answerable ({@link ChallengeChoice}), with an optional profile and replaced
     * certificate (ARI id); {@code section} names errors.
     */
    public IssuedChain order(List<Identifier> identifiers, byte[] csrDer, List<String> preference, String section,
                             String profile, String replaces) throws AcmeException, InterruptedException {
        return order(identifiers, csrDer, preference, section, profile, replaces, null);
    }

    /** As above, answering dns-01 too when {@code dns} (the master's records for this order) is given. */
    public IssuedChain order(List<Identifier> identifiers, byte[] csrDer, List<String> preference, String section,
                             String profile, String replaces, TxtRecords dns) throws AcmeException, InterruptedException {
        return new OrderProcess(this, new Poller(timeout, clock), challengeDir, preference, section, dns)
                .run(identifiers, csrDer, profile, replaces);
    }

    /**
     * Revokes a certificate, as lacme does: signed with the account key ({@code kid}) when
     * the key has an account, else with the JWK (accountd holds the certificate's key).
     * After a failure that leaves open whether the CA revoked it, the request is sent again
     * (revocation is final, so this cannot do harm) and an {@code alreadyRevoked} answer to
     * the repetition counts as success; the same answer to the first attempt stays an error.
     */
    public void revoke(byte[] certDer, Integer reason) throws AcmeException {
        Poller budget = budget();
        URI url = conn.directory(budget).revokeCert();
        String signer;
        try {
            signer = accountUrl(budget);
        } catch (AcmeProblemException e) {
            LOG.info("no account for this key ({}); signing the revocation with the key itself", e.getMessage());
            signer = null;
        }
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("certificate", Base64.getUrlEncoder().withoutPadding().encodeToString(certDer));
        if (reason != null) {
            req.put("reason", reason);
        }
        for (int attempt = 1;; attempt++) {
            try {
                conn.post(url, req, signer, AcmeConnection.JSON, RetryPolicy.Replay.IF_NOT_PROCESSED, budget);
                return;
            } catch (TransientFailureException e) {
                if (!e.mayHaveBeenProcessed() || attempt >= RetryPolicy.MAX_TRANSIENT_TRIES) {
                    throw e;
                }
                LOG.warn("{}; the CA may have revoked the certificate: sending the revocation again (harmless)",
                        e.failure());
                try {
                    budget.retryPause(RetryPolicy.retryDelay(attempt), e.failure());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new AcmeException(e.getMessage() + "; interrupted", ie);
                }
            } catch (AcmeProblemException e) {
                if (attempt > 1 && e.problem().is("alreadyRevoked")) {
                    LOG.info("the CA reports the certificate revoked: the interrupted attempt took effect");
                    return;
                }
                throw e;
            }
        }
    }
}
