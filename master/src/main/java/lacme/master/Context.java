package lacme.master;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.master.config.LacmeConf;
import lacme.master.spawn.AccountdLink;
import lacme.master.spawn.ClientSession;
import lacme.master.spawn.Spawner;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** What every command of one run shares: configuration, logging, cleanup and spawning. */
public final class Context {
    final LacmeConf conf;
    final Specifiers sp;
    final Logger log;
    final Cleanup cleanup;
    final Spawner spawner;
    final boolean debug;
    final boolean quiet;
    final String socketOption;

    Context(LacmeConf conf, Specifiers sp, Logger log, Cleanup cleanup, boolean debug, boolean quiet,
            String socketOption) {
        this.conf = conf;
        this.sp = sp;
        this.log = log;
        this.cleanup = cleanup;
        this.spawner = new Spawner(cleanup, log);
        this.debug = debug;
        this.quiet = quiet;
        this.socketOption = socketOption;
    }

    /** The hello frame's settings for the client (docs/protocol/control.md). */
    Map<String, Object> hello() throws Fatal {
        Map<String, String> c = conf.client();
        Map<String, Object> h = new HashMap<>();
        h.put("server", c.get("server") != null ? c.get("server") : "https://acme-v02.api.letsencrypt.org/directory");
        long timeout = 30;
        if (c.get("timeout") != null) {
            try {
                timeout = Long.parseLong(c.get("timeout").trim());
            } catch (NumberFormatException e) {
                throw new Fatal(conf.file() + ": [client] timeout: not a number: " + c.get("timeout"));
            }
        }
        h.put("timeout", timeout);
        h.put("ssl_verify", c.get("SSL_verify") == null || !c.get("SSL_verify").equalsIgnoreCase("no"));
        if (c.get("SSL_version") != null) {
            h.put("ssl_version", c.get("SSL_version"));
        }
        if (c.get("SSL_cipher_list") != null) {
            h.put("ssl_cipher_list", c.get("SSL_cipher_list"));
        }
        String caFile = c.get("SSL_ca_file");
        if (caFile != null && !caFile.isEmpty()) {
            // read here, as root: the client runs unprivileged and reads no file
            try {
                h.put("ca_pem", Files.readString(Path.of(sp.expand(caFile)), StandardCharsets.US_ASCII));
            } catch (IOException | ConfigException e) {
                throw new Fatal(conf.file() + ": [client] SSL_ca_file: " + e.getMessage());
            }
        }
        h.put("debug", debug);
        return h;
    }

    /** Obtains the accountd connection (spawned or connected) — before the client exists. */
    AccountdLink accountd() throws Fatal {
        return accountd(null);
    }

    /** Like {@link #accountd()}, granting a spawned accountd {@code --allow=allow} (a running one decides alone). */
    AccountdLink accountd(String allow) throws Fatal {
        if (conf.accountd() != null) {
            return AccountdLink.spawn(conf.accountd(), debug, allow, spawner, log);
        }
        String socket = socketOption != null ? socketOption : conf.client().get("socket");
        return AccountdLink.connect(socket, sp, cleanup);
    }

    /** Starts the one client process of this run. */
    ClientSession client(Map<String, Object> hello, AccountdLink accountd, Path cwd) throws Fatal {
        return ClientSession.start(conf.client(), hello, accountd, cwd, debug, spawner);
    }
}
