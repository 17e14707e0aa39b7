package lacme.master;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.common.io.Errno;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Identifier;
import lacme.common.proto.Control.OrderRequest;
import lacme.common.proto.Control.OrderResult;
import lacme.common.proto.Control.Result;
import lacme.master.config.CertConf;
import lacme.master.config.ChallengePreference;
import lacme.master.config.LacmeConf;
import lacme.master.config.Reporter;
import lacme.master.csr.CsrBuilder;
import lacme.master.csr.CsrException;
import lacme.master.csr.Identifiers;
import lacme.master.csr.GeneratedKey;
import lacme.master.install.CaFile;
import lacme.master.install.CertSummary;
import lacme.master.install.ChainVerifier;
import lacme.master.install.Freshness;
import lacme.master.install.Installer;
import lacme.master.install.Pem;
import lacme.master.install.PreferredChain;
import lacme.master.renew.CurrentCert;
import lacme.master.renew.Decision;
import lacme.master.renew.RenewalPlanner;
import lacme.master.renew.RenewalState;
import lacme.master.spawn.AccountdLink;
import lacme.master.spawn.ClientSession;
import lacme.master.spawn.Webservers;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lacme newOrder [SECTION...]}: decides which sections need a certificate and builds their
 * CSRs ({@link #plan}, which needs no child process and says what lacme 0.8.2 says, in the same
 * order), has the one client process order them all, then verifies and atomically installs each
 * chain and runs {@code notify}. Exit 0 when every selected section succeeded or was skipped as
 * still valid, 1 otherwise.
 */
final class NewOrderCommand {
    /** lacme's default CAfile. */
    static final String DEFAULT_CAFILE = "/usr/share/lacme/ca-certificates.crt";

    /** The renewal decision (lacme.master.renew): shared with {@code status}. */
    private static final RenewalPlanner PLANNER = new RenewalPlanner();
    private final Context ctx;
    /** Before any order is sent: the reference for {@link Freshness}. */
    private final Instant started = Instant.now();

    NewOrderCommand(Context ctx) {
        this.ctx = ctx;
    }

    /** One section to order: its settings, key, CSR and identifiers. */
    record Work(String section, Map<String, String> conf, KeyPair key, byte[] csr, List<Identifiers.Name> names,
                String replaces) {
        /** The section's ACME profile, or null. */
        String profile() {
            return nonEmpty(conf.get("profile"));
        }
    }

    /**
     * The sections to order, the exit status so far, and the renewal state (null when no
     * section needed it: a run without profiles never touches the state directory).
     */
    record Plan(List<Work> work, int rv, RenewalState state) {
    }

    /**
     * Everything before the first child process: reads the certificate configuration (from
     * --config-certs, else {@code config-certs}, else lacme's default), and for each selected
     * section reports, as lacme does, a missing section, missing certificate paths, a still-valid
     * certificate, or a CSR that cannot be built, and derives the identifiers.
     *
     * @param configCertsOption the --config-certs values, or null when not given
     * @param minDaysOption     --min-days, -1 for --force, or null
     */
    static Plan plan(LacmeConf conf, Specifiers sp, List<String> configCertsOption, Integer minDaysOption,
                     List<String> sections, boolean quiet, Reporter report, Instant now) throws Fatal {
        Map<String, Map<String, String>> all = certSections(conf, sp, configCertsOption, report);
        int rv = 0;
        List<Work> work = new ArrayList<>();
        RenewalState state = null;
        for (String s : sections.isEmpty() ? new ArrayList<>(all.keySet()) : sections) {
            Map<String, String> c = all.get(s);
            if (c == null) {
                report.warn("Warning: No such section " + s + ", skipping");
                rv = 1;
                continue;
            }
            report.debug("Configuration option for " + s + ":");
            c.forEach((k, v) -> report.debug("    " + k + " = " + v));
            if (nonEmpty(c.get("certificate-chain")) == null && nonEmpty(c.get("certificate")) == null) {
                report.warn("[" + s + "] Warning: Missing 'certificate' and 'certificate-chain', skipping");
                rv = 1;
                continue;
            }
            CurrentCert current = CurrentCert.ofSection(s, c, report::warn);
            if (state == null && nonEmpty(c.get("profile")) != null) {
                state = loadState(conf);
            }
            Decision d = PLANNER.decide(s, c, current, null, minDaysOption, null, state == null ? null : state.get(s),
                    now, report::warn).decision();
            if (!d.due()) {
                if (!quiet) {
                    report.info("[" + s + "] " + d.reason() + ", skipping");
                }
                continue;
            }
            report.debug("[" + s + "] Renewing: " + d.reason());
            KeyPair key;
            byte[] csr;
            try {
                if (c.get("certificate-key") == null || c.get("subject") == null) {
                    throw new CsrException("'certificate-key' and 'subject' are required");
                }
                try {
                    key = GeneratedKey.readOrCreate(Path.of(c.get("certificate-key")), c.get("certificate-key-type"),
                            msg -> report.info("[" + s + "] " + msg));
                } catch (IOException e) {
                    throw new CsrException("certificate-key: " + e.getMessage());
                }
                csr = CsrBuilder.build(key, c.get("subject"), c.get("subjectAltName"), c.get("keyUsage"),
                        c.get("tlsfeature"), c.get("hash"), w -> report.warn("[" + s + "] Warning: subject: " + w));
            } catch (CsrException | RuntimeException e) {
                report.warn("[" + s + "] Warning: Couldn't generate CSR (" + e.getMessage() + "), skipping");
                rv = 1;
                continue;
            }
            String caFile = c.getOrDefault("CAfile", DEFAULT_CAFILE);
            if (!caFile.isEmpty()) {
                try {
                    CaFile.read(Path.of(caFile)); // checked now: found after issuance, it would waste the order
                } catch (IOException | RuntimeException e) {
                    report.warn("[" + s + "] Error: Couldn't issue X.509 certificate: CAfile " + e.getMessage());
                    rv = 1;
                    continue;
                }
            }
            List<Identifiers.Name> names = Identifiers.of(c, w -> report.warn("[" + s + "] " + w));
            List<String> shown = new ArrayList<>();
            names.forEach(n -> shown.add(n.value()));
            report.debug("[" + s + "] Will request authorization for: " + String.join(", ", shown));
            if (names.isEmpty()) {
                report.warn("[" + s + "] Error: Couldn't issue X.509 certificate: no domain name to request"
                        + " authorization for (subject CN or subjectAltName DNS:)");
                rv = 1;
                continue;
            }
            try {
                List<String> pref = ChallengePreference.of(s, c.get("challenge")); // checked now, sent with the order
                if (pref.contains("tls-alpn-01") && (conf.webserver().getOrDefault("listen-tls", "").isBlank()
                        || conf.webserver().get("challenge-directory") != null)) {
                    // nothing of ours answers the CA's TLS connection then: say so before it times out
                    report.warn("[" + s + "] Warning: 'tls-alpn-01' is preferred but no tls-alpn-01 responder runs"
                            + " ([webserver] listen-tls is empty or challenge-directory is set)");
                }
                if (!pref.contains("dns-01")) {
                    for (Identifiers.Name n : names) {
                        if (Identifiers.isWildcard(n.value())) {
                            throw new ConfigException("[" + s + "] wildcard " + n.value()
                                    + " needs dns-01 in 'challenge'");
                        }
                    }
                }
            } catch (ConfigException e) {
                // the message names the section first: "[s] Error: <rest>, skipping" as the other errors
                report.warn("[" + s + "] Error: " + e.getMessage().substring(s.length() + 3) + ", skipping");
                rv = 1;
                continue;
            }
            work.add(new Work(s, c, key, csr, names, current == null ? null : current.ariId()));
        }
        return new Plan(work, rv, state);
    }

    /**
     * The certificate sections of a run (newOrder's and status's): from --config-certs, else
     * {@code config-certs}, else lacme's default files.
     */
    static Map<String, Map<String, String>> certSections(LacmeConf conf, Specifiers sp,
            List<String> configCertsOption, Reporter report) throws Fatal {
        List<String> items = configCertsOption != null ? configCertsOption
                : conf.configCerts() != null ? conf.configCerts() : CertConf.DEFAULT_FILES;
        try {
            return CertConf.load(items, conf.file().toString(), sp, report);
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
    }

    /** The default section's {@code state-directory}, else /var/lib/lacme. */
    static Path stateDirectory(LacmeConf conf) {
        String d = nonEmpty(conf.defaults().get("state-directory"));
        return d == null ? RenewalState.DEFAULT_DIRECTORY : Path.of(d);
    }

    /**
     * The renewal state (lacme.master.renew.RenewalState) of the default section's
     * {@code state-directory}, else /var/lib/lacme; an unusable one is fatal, naming it.
     */
    static RenewalState loadState(LacmeConf conf) throws Fatal {
        try {
            return RenewalState.load(stateDirectory(conf));
        } catch (IOException e) {
            throw new Fatal(conf.file() + ": " + (e.getMessage() == null ? Errno.reason(e) : e.getMessage()));
        }
    }

    int run(List<String> configCerts, Integer minDaysOption, List<String> sections) throws Fatal {
        Plan plan = plan(ctx.conf, ctx.sp, configCerts, minDaysOption, sections, ctx.quiet, Reporter.of(ctx.log),
                Instant.now());
        int rv = plan.rv();
        if (plan.work().isEmpty()) {
            return rv;
        }
        Outcomes outcomes = new Outcomes(plan.work().stream().map(Work::section).toList(), ctx.cleanup,
                Reporter.of(ctx.log));
        ctx.cleanup.add(outcomes);
        Hello hello = ctx.hello();
        AccountdLink accountd = ctx.accountd();
        Path dir = Webservers.start(ctx.conf.webserver(), ctx.conf.client().get("user"), ctx.debug, ctx.sp,
                ctx.spawner, ctx.cleanup, ctx.log);
        try (ClientSession client = ctx.client(hello, accountd, dir)) {
            Map<Id, Work> byId = new HashMap<>();
            for (Work w : plan.work()) {
                List<Identifier> ids = new ArrayList<>();
                for (Identifiers.Name n : w.names()) {
                    ids.add(new Identifier(n.type(), n.value()));
                }
                List<String> pref = challengePreference(w);
                byId.put(client.send(id -> new OrderRequest(id, w.section(), ids, w.csr(), pref, w.profile(),
                        w.replaces())), w);
            }
            while (client.pending() > 0) {
                Result r = client.receive();
                Work w = byId.get(r.id());
                if (!finish(w, r, outcomes)) {
                    outcomes.failed(w.section());
                    rv = 1;
                } else if (plan.state() != null) {
                    plan.state().put(w.section(), RenewalPlanner.issued(w.profile()));
                }
            }
        }
        if (plan.state() != null) {
            try {
                plan.state().save();
            } catch (IOException e) {
                ctx.log.warn("Warning: Couldn't save the renewal state: {}", Errno.reason(e));
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
    private boolean finish(Work w, Result r, Outcomes outcomes) {
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
        List<X509Certificate> chain = PreferredChain.choose(received, o.alternates(), nonEmpty(w.conf().get("preferred-chain")),
                m -> ctx.log.warn("[{}] Warning: {}", s, m));
        try {
            String caFile = w.conf().getOrDefault("CAfile", DEFAULT_CAFILE);
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
        String mode = first(w.conf().get("mode"), w.conf().get("chmod"));
        String owner = first(w.conf().get("owner"), w.conf().get("chown"));
        String cert = nonEmpty(w.conf().get("certificate"));
        String certChain = nonEmpty(w.conf().get("certificate-chain"));
        try {
            // under the cleanup's guard: a SIGTERM waits for the install instead of leaving
            // a temporary file beside the certificate
            ctx.cleanup.guard(() -> {
                if (cert != null) {
                    ctx.log.info("Installing X.509 certificate {}", cert);
                    install(Path.of(cert), Pem.encode(chain.get(0)), mode, owner);
                }
                if (certChain != null) {
                    ctx.log.info("Installing X.509 certificate chain {}", certChain);
                    install(Path.of(certChain), full.toString(), mode, owner);
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
        return Notify.run(ctx, s, w.conf().get("notify"));
    }

    /**
     * Installs one file; a failure names it (issue 15: ENOSPC said only "No space left on
     * device", not which of a section's files could not be written).
     */
    static void install(Path target, String content, String mode, String owner) throws Fatal {
        try {
            Installer.install(target, content, mode, owner);
        } catch (IOException e) {
            String m = e.getMessage() == null ? Errno.reason(e) : e.getMessage();
            throw new Fatal(m.contains(target.toString()) ? m : target + ": " + m, e);
        }
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Perl's {@code a // b // ""}: lacme's precedence of mode over chmod, owner over chown. */
    static String first(String a, String b) {
        return a != null ? a : b != null ? b : "";
    }
}
