package lacme.master;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.common.io.Errno;
import lacme.master.config.CertConf;
import lacme.master.config.ChallengePreference;
import lacme.master.config.LacmeConf;
import lacme.master.config.Reporter;
import lacme.master.csr.CsrBuilder;
import lacme.master.csr.CsrException;
import lacme.master.csr.Identifiers;
import lacme.master.csr.GeneratedKey;
import lacme.master.dns.DnsSettings;
import lacme.master.install.CaFile;
import lacme.master.install.Freshness;
import lacme.master.install.Installer;
import lacme.master.renew.CurrentCert;
import lacme.master.renew.Decision;
import lacme.master.renew.RenewalPlanner;
import lacme.master.renew.RenewalState;
import lacme.master.renew.Window;
import lacme.master.spawn.ClientSession;
import lacme.master.spawn.Webservers;


import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lacme newOrder [SECTION...]}: decides which sections need a certificate and builds their
 * CSRs ({@link #plan}, which says what lacme 0.8.2 says, in the same order), has the one client
 * process order them all ({@link Issuance}), which verifies and atomically installs each chain and
 * runs {@code notify}. The client starts first, without accountd: it asks the CA for the ARI
 * windows ({@link AriRound}) the decision needs; lacme-accountd is connected (and the webservers
 * started) only once something is due, so a timer run with nothing due never wakes the key host. Exit 0 when every selected section succeeded or was skipped as
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
                String replaces, String explanation) {
        /** The section's ACME profile, or null. */
        String profile() {
            return nonEmpty(conf.get("profile"));
        }
    }

    /**
     * The sections to order, the exit status so far, and the renewal state (null when no
     * section needed it: a run without profiles and without an installed certificate an ARI
     * window could be asked for never touches the state directory).
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
        return plan(conf, sp, configCertsOption, minDaysOption, sections, quiet, report, now, Map.of(), null);
    }

    /**
     * {@link #plan(LacmeConf, Specifiers, List, Integer, List, boolean, Reporter, Instant)} with
     * the ARI windows of the sections that have one ({@link AriRound}) and the renewal state
     * already loaded for them (null: loaded here when a section needs it). The random point
     * chosen in each window is put in the state (the caller saves it).
     */
    static Plan plan(LacmeConf conf, Specifiers sp, List<String> configCertsOption, Integer minDaysOption,
                     List<String> sections, boolean quiet, Reporter report, Instant now, Map<String, Window> windows,
                     RenewalState loaded) throws Fatal {
        Map<String, Map<String, String>> all = certSections(conf, sp, configCertsOption, report);
        int rv = 0;
        List<Work> work = new ArrayList<>();
        RenewalState state = loaded;
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
            if (state == null && (nonEmpty(c.get("profile")) != null || windows.containsKey(s))) {
                state = loadState(conf);
            }
            RenewalPlanner.Outcome o = PLANNER.decide(s, c, current, null, minDaysOption, windows.get(s),
                    state == null ? null : state.get(s), now, report::warn);
            if (windows.containsKey(s)) {
                state.put(s, o.entry()); // the chosen time: the next runs agree on it
            }
            Decision d = o.decision();
            if (d.explanationUrl() != null) {
                // sanitised by the control codec; the CA's reason for this window (e.g. an incident)
                String line = "[" + s + "] The CA explains its renewal window: " + d.explanationUrl();
                if (d.due()) {
                    report.info(line);
                } else {
                    report.debug(line);
                }
            }
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
                DnsSettings.of(s, c, pref); // dns-hook, its user and timeout: checked before any order
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
            work.add(new Work(s, c, key, csr, names, current == null ? null : current.ariId(), d.explanationUrl()));
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
        Instant now = Instant.now();
        Reporter report = Reporter.of(ctx.log);
        // a first, silent reading (plan() reports): which certificates ARI may decide about
        Map<String, Map<String, String>> all = certSections(ctx.conf, ctx.sp, configCerts, StatusCommand.QUIET);
        Map<String, CurrentCert> candidates = AriRound.candidates(all, sections, minDaysOption);
        RenewalState state = candidates.isEmpty() ? null : loadState(ctx.conf);
        AriRound.Lookups lookups = AriRound.lookups(candidates, state, now);
        ClientSession client = null;
        try {
            Path dir = null;
            boolean sure = surelyDue(all, sections, candidates, minDaysOption);
            if (!lookups.toAsk().isEmpty() || sure) {
                // the client first, without accountd (issue 13): it fetches the directory, and the
                // windows, while the master decides and builds CSRs (issue 12)
                dir = Webservers.directory(ctx.conf.webserver(), ctx.conf.client().get("user"), ctx.sp,
                        ctx.cleanup, ctx.log);
                client = ctx.client(ctx.hello(), null, dir);
                if (sure) {
                    // something is ordered whatever the CA's windows say: accountd and the
                    // webservers start now too, while the master builds the CSRs (issue 12: their
                    // start-up was the longest wait of a run)
                    serve(client, dir);
                }
            }
            Map<String, Window> windows = new HashMap<>(lookups.cached());
            if (!lookups.toAsk().isEmpty()) {
                windows.putAll(AriRound.ask(client, lookups.toAsk(), now, report));
            }
            Plan plan = plan(ctx.conf, ctx.sp, configCerts, minDaysOption, sections, ctx.quiet, report, now, windows,
                    state);
            if (!windows.isEmpty()) {
                save(plan.state());
            }
            if (plan.work().isEmpty()) {
                return plan.rv(); // nothing due: no accountd connection at all (issue 13)
            }
            Outcomes outcomes = new Outcomes(plan.work().stream().map(Work::section).toList(), ctx.cleanup, report);
            ctx.cleanup.add(outcomes);
            if (client == null) {
                dir = Webservers.directory(ctx.conf.webserver(), ctx.conf.client().get("user"), ctx.sp, ctx.cleanup,
                        ctx.log);
                client = ctx.client(ctx.hello(), null, dir);
            }
            if (!sure) {
                serve(client, dir);
            }
            int rv = plan.rv() | new Issuance(ctx, started).orderAll(client, plan.work(), outcomes, plan.state());
            if (plan.state() != null) {
                save(plan.state());
            }
            return rv;
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /** Connects lacme-accountd to the client and starts the webservers serving {@code dir}. */
    private void serve(ClientSession client, Path dir) throws Fatal {
        client.handover(ctx.accountd());
        Webservers.serve(ctx.conf.webserver(), dir, ctx.debug, ctx.spawner, ctx.cleanup, ctx.log);
    }

    /**
     * True when some selected section will be renewed whatever the CA says (--force, or no
     * usable certificate installed): then the client, lacme-accountd and the webservers are
     * started before the CSRs are built.
     */
    private static boolean surelyDue(Map<String, Map<String, String>> all, List<String> sections,
                                     Map<String, CurrentCert> candidates, Integer minDaysOption) {
        if (minDaysOption != null && minDaysOption < 0) {
            return true;
        }
        for (String s : sections.isEmpty() ? all.keySet() : sections) {
            Map<String, String> c = all.get(s);
            if (c != null && !candidates.containsKey(s) && CurrentCert.ofSection(s, c, w -> { }) == null
                    && (nonEmpty(c.get("certificate")) != null || nonEmpty(c.get("certificate-chain")) != null)) {
                return true;
            }
        }
        return false;
    }

    private void save(RenewalState state) {
        try {
            state.save();
        } catch (IOException e) {
            ctx.log.warn("Warning: Couldn't save the renewal state: {}", Errno.reason(e));
        }
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

    static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Perl's {@code a // b // ""}: lacme's precedence of mode over chmod, owner over chown. */
    static String first(String a, String b) {
        return a != null ? a : b != null ? b : "";
    }
}
