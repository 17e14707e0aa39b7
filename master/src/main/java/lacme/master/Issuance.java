package lacme.master;

import lacme.common.config.ConfigException;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Identifier;
import lacme.common.proto.Control.OrderRequest;
import lacme.common.proto.Control.OrderResult;
import lacme.common.proto.Control.Result;
import lacme.master.NewOrderCommand.Work;
import lacme.master.config.ChallengePreference;
import lacme.master.csr.Identifiers;
import lacme.master.dns.DnsRequests;
import lacme.master.install.CaFile;
import lacme.master.install.CertSummary;
import lacme.master.install.ChainVerifier;
import lacme.master.install.Freshness;
import lacme.master.install.Pem;
import lacme.master.install.PreferredChain;
import lacme.master.renew.RenewalPlanner;
import lacme.master.renew.RenewalState;
import lacme.master.spawn.ClientSession;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order round of {@code newOrder}: sends every planned order to the one client, then
 * verifies and atomically installs each chain as it arrives and runs {@code notify}.
 * Apart from {@link NewOrderCommand} so that the decision (plan, ARI) and the issuance each
 * stay one readable file.
 */
final class Issuance {
    private final Context ctx;
    /** Before any order is sent: the reference for {@link Freshness}. */
    private final Instant started;

    Issuance(Context ctx, Instant started) {
        this.ctx = ctx;
        this.started = started;
    }

    /**
     * Orders every planned section and finishes each answer; remembers each issuance's profile in
     * {@code state} (when not null). Returns 1 when some section failed, else 0.
     */
    int orderAll(ClientSession client, List<Work> work, Outcomes outcomes, RenewalState state) throws Fatal {
        int rv = 0;
        DnsRequests dns = new DnsRequests(ctx.spawner, ctx.cleanup, ctx.log); // dns-01: the client asks, we check
        client.onClientRequest(dns::answer);
        Map<Id, Work> byId = new HashMap<>();
        for (Work w : work) {
            List<Identifier> ids = new ArrayList<>();
            for (Identifiers.Name n : w.names()) {
                ids.add(new Identifier(n.type(), n.value()));
            }
            List<String> pref = challengePreference(w);
            Id sent = client.send(id -> new OrderRequest(id, w.section(), ids, w.csr(), pref, w.profile(),
                    w.replaces()));
            byId.put(sent, w);
            dns.register(sent, w.section(), w.names(), w.conf());
        }
        while (client.pending() > 0) {
            Result r = dns.finished(client.receive());
            if (ctx.cleanup.signalled()) {
                // a signal or a dead webserver is ending the run, and its cleanup (which may stop
                // accountd before the client) causes this answer: one cause, said once, already
                throw Fatal.alreadyReported();
            }
            if (client.pending() == 0) {
                client.endRequests(); // the client exits while the last answer is installed
            }
            Work w = byId.get(r.id());
            if (!finish(w, r, outcomes)) {
                outcomes.failed(w.section());
                rv = 1;
            } else if (state != null) {
                state.put(w.section(), RenewalPlanner.issued(w.profile()));
            }
        }
        return rv;
    }

    /** A planned section's preference (its value was checked by {@link #plan}). */
    private static List<String> challengePreference(Work w) {
        try {
            return ChallengePreference.of(w.section(), w.conf().get("challenge"));
        } catch (ConfigException e) {
            throw new IllegalStateException(e); // plan() skipped the section
        }
    }

    /** Verifies and installs one answer, then notifies; false on any failure. */
    boolean finish(Work w, Result r, Outcomes outcomes) {
        String s = w.section();
        if (r instanceof Failure f) {
            // lacme-accountd lost: one line for the run, by whoever noticed first (this or the
            // accountd watcher, Cleanup.claimReport), then every section's outcome (Outcomes)
            if (!Outcomes.accountdLost(f.error()) || outcomes.firstAccountdLoss(s) && ctx.cleanup.claimReport()) {
                ctx.log.error("[{}] Error: Couldn't issue X.509 certificate: {}", s, f.error());
            }
            return false;
        }
        OrderResult o = (OrderResult) r;
        List<X509Certificate> received;
        try {
            received = Pem.parse(o.chain());
            if (received.isEmpty()) {
                throw new CertificateException("no certificate");
            }
            if (!Arrays.equals(received.get(0).getPublicKey().getEncoded(), w.key().getPublic().getEncoded())) {
                throw new CertificateException("the certificate's public key is not the CSR's");
            }
        } catch (CertificateException e) {
            ctx.log.error("[{}] Error: Received bogus X.509 certificate from ACME server ({})", s, e.getMessage());
            return false;
        }
        List<X509Certificate> chain = PreferredChain.choose(received, o.alternates(), NewOrderCommand.nonEmpty(w.conf().get("preferred-chain")),
                m -> ctx.log.warn("[{}] Warning: {}", s, m));
        try {
            String caFile = w.conf().getOrDefault("CAfile", NewOrderCommand.DEFAULT_CAFILE);
            List<X509Certificate> anchors = caFile.isEmpty() ? null : CaFile.read(Path.of(caFile));
            ChainVerifier.verify(chain, w.key().getPublic(), anchors, w.names(), Instant.now());
            Freshness.check(chain.get(0), w.conf(), started);
        } catch (GeneralSecurityException | IOException e) {
            ctx.log.error("[{}] Error: Received invalid X.509 certificate from ACME server ({})", s, e.getMessage());
            return false;
        }
        StringBuilder full = new StringBuilder();
        for (X509Certificate c : chain) {
            full.append(Pem.encode(c));
        }
        String mode = NewOrderCommand.first(w.conf().get("mode"), w.conf().get("chmod"));
        String owner = NewOrderCommand.first(w.conf().get("owner"), w.conf().get("chown"));
        String cert = NewOrderCommand.nonEmpty(w.conf().get("certificate"));
        String certChain = NewOrderCommand.nonEmpty(w.conf().get("certificate-chain"));
        try {
            // under the cleanup's guard: a SIGTERM waits for the install instead of leaving
            // a temporary file beside the certificate
            ctx.cleanup.guard(() -> {
                if (cert != null) {
                    ctx.log.info("Installing X.509 certificate {}", cert);
                    NewOrderCommand.install(Path.of(cert), Pem.encode(chain.get(0)), mode, owner);
                }
                if (certChain != null) {
                    ctx.log.info("Installing X.509 certificate chain {}", certChain);
                    NewOrderCommand.install(Path.of(certChain), full.toString(), mode, owner);
                }
                return null;
            });
        } catch (Fatal e) {
            ctx.log.error("[{}] Error: Couldn't install X.509 certificate: {}", s, e.getMessage());
            return false;
        }
        outcomes.installed(s);
        System.out.print(CertSummary.of(chain.get(0)));
        System.out.flush();
        return Notify.run(ctx, s, w.conf().get("notify"), w.explanation());
    }
}
