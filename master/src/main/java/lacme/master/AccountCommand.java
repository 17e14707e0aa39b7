package lacme.master;

import lacme.common.proto.ControlCodec;
import lacme.master.install.CertSummary;
import lacme.master.install.Pem;
import lacme.master.spawn.AccountdLink;
import lacme.master.spawn.ClientSession;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lacme account} and {@code lacme revokeCert}: the commands that need no webserver.
 * The client runs with cwd "/" since nothing is to be written.
 */
final class AccountCommand {
    private final Context ctx;

    AccountCommand(Context ctx) {
        this.ctx = ctx;
    }

    int account(boolean register, boolean tosAgreed, boolean deactivate, List<String> contacts) throws Fatal {
        Map<String, Object> hello = ctx.hello();
        AccountdLink accountd = ctx.accountd();
        try (ClientSession client = ctx.client(hello, accountd, Path.of("/"))) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("register", register);
            f.put("tos_agreed", tosAgreed);
            f.put("deactivate", deactivate);
            f.put("contacts", contacts);
            client.send(ControlCodec.ACCOUNT, f);
            Map<String, Object> r = client.receive();
            if (r.get("account") instanceof String) {
                String a = (String) r.get("account");
                System.out.println(a.endsWith("\n") ? a.substring(0, a.length() - 1) : a);
                System.out.flush();
            }
            if (!Boolean.TRUE.equals(r.get("ok"))) {
                ctx.log.error("{}", r.get("error"));
                return 1;
            }
            return 0;
        }
    }

    int revoke(List<String> files) throws Fatal {
        if (files.isEmpty()) {
            throw new Fatal("Nothing to revoke");
        }
        Map<String, Object> hello = ctx.hello();
        AccountdLink accountd = ctx.accountd();
        int rv = 0;
        try (ClientSession client = ctx.client(hello, accountd, Path.of("/"))) {
            Map<String, String> byId = new LinkedHashMap<>();
            for (String file : files) {
                ctx.log.info("Revoking {}", file);
                X509Certificate c;
                try {
                    List<X509Certificate> l = Pem.read(Path.of(file));
                    if (l.isEmpty()) {
                        throw new CertificateException("no certificate");
                    }
                    c = l.get(0);
                    System.out.print(CertSummary.of(c));
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("certificate", Base64.getUrlEncoder().withoutPadding().encodeToString(c.getEncoded()));
                    byId.put(client.send(ControlCodec.REVOKE, f), file);
                } catch (IOException | CertificateException e) {
                    ctx.log.warn("Warning: Couldn't revoke {}: {}", file, e.getMessage());
                    rv = 1;
                }
            }
            System.out.flush();
            while (client.pending() > 0) {
                Map<String, Object> r = client.receive();
                if (!Boolean.TRUE.equals(r.get("ok"))) {
                    ctx.log.warn("Warning: Couldn't revoke {}: {}", byId.get((String) r.get("id")), r.get("error"));
                    rv = 1;
                }
            }
        }
        return rv;
    }
}
