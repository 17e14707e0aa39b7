package lacme.master;

import static lacme.common.io.Errno.reason;

import lacme.common.proto.Control.AccountRequest;
import lacme.common.proto.Control.AccountResult;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Result;
import lacme.common.proto.Control.RevokeRequest;
import lacme.master.install.CertSummary;
import lacme.master.install.Pem;
import lacme.master.spawn.AccountdLink;
import lacme.master.spawn.ClientSession;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
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
        Hello hello = ctx.hello();
        // the one command that may deactivate the account: only it grants accountd to sign that
        AccountdLink accountd = ctx.accountd(deactivate ? "deactivation" : null);
        try (ClientSession client = ctx.client(hello, accountd, Path.of("/"))) {
            client.send(id -> new AccountRequest(id, register, tosAgreed, deactivate, contacts));
            Result r = client.receive();
            if (r instanceof Failure f) {
                ctx.log.error("{}", f.error());
                return 1;
            }
            // sanitised to one line by the codec: JSON needs no line breaks
            System.out.println(((AccountResult) r).account());
            System.out.flush();
            return 0;
        }
    }

    /**
     * Revokes each file's (first PEM, or DER) certificate in order, printing "Revoking FILE" and its summary
     * as lacme does; a file that is not a PEM certificate ends the command there (lacme dies on
     * it), after the answers for the files before it; a refused revocation is "Warning: Couldn't
     * revoke FILE" and exit 1.
     */
    int revoke(List<String> files) throws Fatal {
        if (files.isEmpty()) {
            throw new Fatal("Nothing to revoke");
        }
        Hello hello = ctx.hello();
        AccountdLink accountd = ctx.accountd();
        int rv = 0;
        try (ClientSession client = ctx.client(hello, accountd, Path.of("/"))) {
            Map<Id, String> byId = new LinkedHashMap<>();
            Fatal stop = null;
            for (String file : files) {
                ctx.log.info("Revoking {}", file);
                X509Certificate c;
                try {
                    c = Pem.readFirst(Path.of(file));
                } catch (IOException | CertificateException e) {
                    stop = new Fatal("Error: Couldn't read X.509 certificate " + file + ": " + reason(e));
                    break;
                }
                System.out.print(CertSummary.of(c, false));
                System.out.flush();
                byte[] der;
                try {
                    der = c.getEncoded();
                } catch (CertificateException e) {
                    throw new Fatal("Error: " + file + ": " + e.getMessage());
                }
                byId.put(client.send(id -> new RevokeRequest(id, der, null)), file);
            }
            while (client.pending() > 0) {
                Result r = client.receive();
                if (r instanceof Failure f) {
                    ctx.log.warn("{}", f.error());
                    ctx.log.warn("Warning: Couldn't revoke {}", byId.get(r.id()));
                    rv = 1;
                }
            }
            if (stop != null) {
                throw stop;
            }
        }
        return rv;
    }
}
