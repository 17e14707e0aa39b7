package lacme.master;

import lacme.common.config.ConfigException;
import lacme.common.config.Specifiers;
import lacme.common.io.Errno;
import lacme.common.proto.Control;
import lacme.common.proto.Control.Hello;
import lacme.master.config.LacmeConf;
import lacme.master.spawn.AccountdLink;
import lacme.master.spawn.ClientSession;
import lacme.master.spawn.Spawner;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The hello frame's settings for the client, from [client] (docs/protocol/control.md). */
    Hello hello() throws Fatal {
        Map<String, String> c = conf.client();
        long timeout = integer(c, "timeout", Control.DEFAULT_TIMEOUT, 0, Integer.MAX_VALUE);
        int parallel = (int) integer(c, "max-parallel", Control.DEFAULT_MAX_PARALLEL, 1, Control.MAX_PARALLEL_LIMIT);
        String caPem = null;
        String caFile = c.get("SSL_ca_file");
        if (caFile != null && !caFile.isEmpty()) {
            // read here, as root: the client runs unprivileged and reads no file
            try {
                caPem = Files.readString(Path.of(sp.expand(caFile)), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                // the path and why (a NoSuchFileException's message is the bare path)
                throw new Fatal(conf.file() + ": [client] SSL_ca_file: " + caFile + ": " + Errno.reason(e));
            } catch (ConfigException e) {
                throw new Fatal(conf.file() + ": [client] SSL_ca_file: " + e.getMessage());
            }
        }
        // lacme: only "no" turns verification off
        boolean verify = c.get("SSL_verify") == null ? Control.DEFAULT_SSL_VERIFY
                : !c.get("SSL_verify").equalsIgnoreCase("no");
        return new Hello(c.get("server"), timeout, verify, c.get("SSL_version"), c.get("SSL_cipher_list"), caPem, debug,
                parallel);
    }

    /** A [client] integer setting in {@code min} … {@code max}, {@code dflt} when unset. */
    private long integer(Map<String, String> c, String key, long dflt, long min, long max) throws Fatal {
        String v = c.get(key);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new Fatal(conf.file() + ": [client] " + key + ": not a number: " + v);
        }
        if (n < min || n > max) {
            throw new Fatal(conf.file() + ": [client] " + key + ": " + n + " is not in " + min + " … " + max);
        }
        return n;
    }

    /** Obtains the accountd connection (spawned or connected), for the hello or a later handover. */
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
    ClientSession client(Hello hello, AccountdLink accountd, Path cwd) throws Fatal {
        return ClientSession.start(conf.client(), hello, accountd, cwd, debug, spawner);
    }
}
