package lacme.master;

import lacme.common.config.ConfigException;
import lacme.common.json.Json;
import lacme.master.config.CertConf;
import lacme.master.csr.CsrBuilder;
import lacme.master.csr.ServiceKey;
import lacme.master.csr.SubjectAltNames;
import lacme.master.install.CertSummary;
import lacme.master.install.ChainVerifier;
import lacme.master.install.Installer;
import lacme.master.install.Pem;
import lacme.master.spawn.AccountdLink;
import lacme.master.spawn.ClientSession;
import lacme.master.spawn.Webservers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lacme newOrder [SECTION...]}: decides which sections need a certificate, builds their
 * CSRs (the only use of service keys, here in the master), has the one client process order
 * them all, then verifies and atomically installs each chain and runs {@code notify}.
 * Exit 0 when every selected section succeeded or was skipped, 1 otherwise.
 */
final class NewOrderCommand {
    private static final String DEFAULT_CAFILE = "/usr/share/lacme/ca-certificates.crt";
    private static final Pattern CN = Pattern.compile("\\A.*/CN=(" + SubjectAltNames.DOMAIN.pattern() + ")\\z");
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final Context ctx;

    NewOrderCommand(Context ctx) {
        this.ctx = ctx;
    }

    /** One section to order: its settings, key, CSR and identifiers. */
    private record Work(String section, Map<String, String> conf, KeyPair key, byte[] csr,
                        List<SubjectAltNames.Name> names) {
    }

    int run(List<String> configCerts, Integer minDaysOption, List<String> sections) throws Fatal {
        List<String> specs = configCerts;
        if (specs == null || specs.isEmpty()) {
            String d = ctx.conf.defaults().get("config-certs");
            specs = d != null ? List.of(d.trim().split("\\s+")) : List.of("lacme-certs.conf", "lacme-certs.conf.d/");
        }
        Map<String, Map<String, String>> all;
        try {
            all = CertConf.load(specs, ctx.conf.file().toAbsolutePath().getParent(), ctx.sp, ctx.log);
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
        int rv = 0;
        List<Work> work = new ArrayList<>();
        for (String s : sections.isEmpty() ? new ArrayList<>(all.keySet()) : sections) {
            Map<String, String> c = all.get(s);
            if (c == null) {
                ctx.log.warn("No such section {}, skipping", s);
                rv = 1;
                continue;
            }
            try {
                Work w = prepare(s, c, minDaysOption);
                if (w != null) {
                    work.add(w);
                }
            } catch (Fatal e) {
                ctx.log.warn("[{}] {}", s, e.getMessage());
                rv = 1;
            }
        }
        if (work.isEmpty()) {
            return rv;
        }
        Map<String, Object> hello = ctx.hello();
        AccountdLink accountd = ctx.accountd();
        Path dir = Webservers.start(ctx.conf.webserver(), ctx.conf.client().get("user"), ctx.debug, ctx.sp,
                ctx.spawner, ctx.cleanup, ctx.log);
        try (ClientSession client = ctx.client(hello, accountd, dir)) {
            Map<String, Work> byId = new HashMap<>();
            for (Work w : work) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("section", w.section());
                List<Map<String, Object>> ids = new ArrayList<>();
                for (SubjectAltNames.Name n : w.names()) {
                    ids.add(Map.of("type", n.type(), "value", n.value()));
                }
                f.put("identifiers", ids);
                f.put("csr", Base64.getUrlEncoder().withoutPadding().encodeToString(w.csr()));
                byId.put(client.send(lacme.common.proto.ControlCodec.ORDER, f), w);
            }
            while (client.pending() > 0) {
                Map<String, Object> r = client.receive();
                Work w = byId.get((String) r.get("id"));
                if (!finish(w, r)) {
                    rv = 1;
                }
            }
        }
        return rv;
    }

    /** Renewal decision and CSR; null when the section is skipped without error. */
    private Work prepare(String s, Map<String, String> c, Integer minDaysOption) throws Fatal {
        String cert = nonEmpty(c.get("certificate-chain")) != null ? c.get("certificate-chain") : nonEmpty(c.get("certificate"));
        if (cert == null) {
            throw new Fatal("Warning: Missing 'certificate' and 'certificate-chain', skipping");
        }
        Path certPath = Path.of(cert);
        if (Files.isRegularFile(certPath)) {
            Instant notAfter = notAfter(certPath);
            if (notAfter != null) {
                long days = minDaysOption != null ? minDaysOption : parseDays(c.get("min-days"));
                if (days >= 0 && notAfter.getEpochSecond() - Instant.now().getEpochSecond() > days * 86400) {
                    if (!ctx.quiet) {
                        ctx.log.info("[{}] Valid until {}, skipping", s, UTC.format(notAfter));
                    }
                    return null;
                }
            }
        }
        if (c.get("certificate-key") == null || c.get("subject") == null) {
            throw new Fatal("Warning: Couldn't generate CSR ('certificate-key' and 'subject' are required), skipping");
        }
        try {
            KeyPair kp = ServiceKey.read(Path.of(c.get("certificate-key")));
            byte[] csr = CsrBuilder.build(kp, c.get("subject"), c.get("subjectAltName"), c.get("keyUsage"),
                    c.get("tlsfeature"), c.get("hash"));
            return new Work(s, c, kp, csr, identifiers(s, c));
        } catch (IOException | IllegalArgumentException e) {
            throw new Fatal("Warning: Couldn't generate CSR: " + e.getMessage() + ", skipping");
        }
    }

    private List<SubjectAltNames.Name> identifiers(String s, Map<String, String> c) {
        List<SubjectAltNames.Name> out = new ArrayList<>();
        Matcher m = CN.matcher(c.get("subject"));
        if (m.matches()) {
            out.add(new SubjectAltNames.Name("dns", m.group(1)));
        }
        if (c.get("subjectAltName") != null) {
            for (SubjectAltNames.Name n : SubjectAltNames.parse(c.get("subjectAltName")).names()) {
                if (n.type().equals("dns") && !SubjectAltNames.DOMAIN.matcher(n.value()).matches()) {
                    ctx.log.warn("[{}] Warning: Ignoring invalid domain {}", s, n.value());
                } else if (!out.contains(n)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** Verifies and installs one answer; false on failure. */
    private boolean finish(Work w, Map<String, Object> r) throws Fatal {
        String s = w.section();
        if (!Boolean.TRUE.equals(r.get("ok"))) {
            ctx.log.error("[{}] Error: Couldn't issue X.509 certificate: {}", s, r.get("error"));
            return false;
        }
        List<X509Certificate> chain;
        String chainPem;
        try {
            chainPem = Json.requireString(r, "chain");
            chain = Pem.parse(chainPem);
            String caFile = w.conf().getOrDefault("CAfile", DEFAULT_CAFILE);
            List<X509Certificate> anchors = caFile.isEmpty() ? null : Pem.read(Path.of(caFile));
            ChainVerifier.verify(chain, w.key().getPublic(), anchors, w.names());
        } catch (ParseException | GeneralSecurityException | IOException e) {
            ctx.log.error("[{}] Error: Received invalid X.509 certificate from ACME server: {}", s, e.getMessage());
            return false;
        }
        StringBuilder full = new StringBuilder();
        for (X509Certificate c : chain) {
            full.append(Pem.encode(c));
        }
        String mode = first(w.conf().get("mode"), w.conf().get("chmod"));
        String owner = first(w.conf().get("owner"), w.conf().get("chown"));
        try {
            if (nonEmpty(w.conf().get("certificate")) != null) {
                ctx.log.info("Installing X.509 certificate {}", w.conf().get("certificate"));
                Installer.install(Path.of(w.conf().get("certificate")), Pem.encode(chain.get(0)), mode, owner);
            }
            if (nonEmpty(w.conf().get("certificate-chain")) != null) {
                ctx.log.info("Installing X.509 certificate chain {}", w.conf().get("certificate-chain"));
                Installer.install(Path.of(w.conf().get("certificate-chain")), full.toString(), mode, owner);
            }
        } catch (IOException e) {
            ctx.log.error("[{}] Error: Couldn't install the certificate: {}", s, e.getMessage());
            return false;
        }
        System.out.print(CertSummary.of(chain.get(0)));
        System.out.flush();
        return Notify.run(ctx, s, w.conf().get("notify"));
    }

    private Instant notAfter(Path p) {
        try {
            List<X509Certificate> l = Pem.read(p);
            return l.isEmpty() ? null : l.get(0).getNotAfter().toInstant();
        } catch (IOException | CertificateException e) {
            return null;
        }
    }

    private static long parseDays(String v) throws Fatal {
        if (v == null || v.isBlank()) {
            return 21;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new Fatal("min-days: not an integer: " + v);
        }
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String first(String a, String b) {
        return a != null ? a : b != null ? b : "";
    }
}
