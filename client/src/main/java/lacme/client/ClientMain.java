package lacme.client;

import com.nimbusds.jose.JWSAlgorithm;
import lacme.client.acme.AccountKey;
import lacme.client.acme.AcmeClient;
import lacme.client.acme.AcmeConnection;
import lacme.client.acme.Poller;
import lacme.common.Version;
import lacme.common.log.Logging;
import lacme.common.proto.AccountdCodec;
import lacme.common.proto.Control;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.ControlCodec;
import lacme.common.proto.ProtocolException;
import lacme.common.text.Sanitize;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;

import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;

/**
 * {@code libexec/lacme/client}: the unprivileged process that speaks ACME. The master
 * spawns it as {@code _lacme-client} with its cwd in the challenge directory and one end of
 * an AF_UNIX socketpair as fd 0 (fd 1 is a duplicate, so stdout is never a terminal and is
 * never written to; logs go to stderr). The first control frame, {@code hello}, carries the
 * configuration and, as SCM_RIGHTS, maybe the connection to lacme-accountd, which may
 * instead come later with an {@code accountd} frame (a run with nothing due never connects
 * to accountd); each request is answered with one result frame until EOF
 * (docs/protocol/control.md).
 *
 * <p>Usage: {@code client [--debug]}. Exit 0 after EOF; 1 on a protocol violation, an
 * unusable accountd connection or an internal error (one line on stderr; the stack trace
 * only with --debug).
 */
public final class ClientMain {
    /** Our version (the User-Agent names it). */
    public static final String VERSION = Version.VERSION;
    private static final int ANCILLARY_BUFFER = 4096;

    private ClientMain() {
    }

    public static void main(String[] args) {
        boolean debug = false;
        for (String a : args) {
            if (a.equals("--debug")) {
                debug = true;
            } else {
                System.err.println("lacme-client: unknown argument '" + a + "'; usage: client [--debug]");
                System.exit(1);
            }
        }
        Logger log = Logging.init("lacme-client", debug ? Logging.DEBUG : Logging.NORMAL);
        int rc;
        try {
            AFUNIXSocket control = FileDescriptorCast.using(FileDescriptor.in).as(AFUNIXSocket.class);
            rc = serve(control, Path.of("").toAbsolutePath(), debug, log);
        } catch (ProtocolException e) {
            log.error("control/accountd protocol error: {}", e.getMessage(), debug ? e : null);
            rc = 1;
        } catch (ControlLoop.MasterGoneException e) {
            log.debug("{}", e.getMessage());
            rc = 1;
        } catch (Exception | Error e) {
            log.error("{}", oneLine(e), debug ? e : null);
            rc = 1;
        }
        System.exit(rc);
    }

    /**
     * Serves one master on {@code control}: hello (with or without the accountd connection),
     * then requests until EOF; the accountd connection may arrive later ({@link LateAccountd}).
     * Separate from {@link #main} so that it can run on any connected socket.
     *
     * @return the exit status
     */
    public static int serve(AFUNIXSocket control, Path challengeDir, boolean debug, Logger log) throws Exception {
        control.ensureAncillaryReceiveBufferSize(ANCILLARY_BUFFER);
        InputStream cin = control.getInputStream();
        OutputStream cout = control.getOutputStream();

        Hello hello = ControlCodec.readHello(cin);
        if (hello == null) {
            log.debug("control channel closed before hello");
            return 0;
        }
        FileDescriptor[] fds = control.getReceivedFileDescriptors();
        if (fds != null && fds.length > 1) {
            throw new ProtocolException("hello may carry one descriptor (the lacme-accountd connection), got "
                    + fds.length);
        }
        debug |= hello.debug();
        try (AcmeConnection conn = open(hello, null)) {
            AcmeClient client = new AcmeClient(conn, null, challengeDir, Duration.ofSeconds(hello.timeout()),
                    Poller.Clock.SYSTEM);
            prefetch(client, log);
            LateAccountd accountd = new LateAccountd(control, conn, client, log);
            try {
                if (fds != null && fds.length == 1) {
                    accountd.attach(fds[0]);
                }
                log.debug("serving requests, at most {} at once", hello.maxParallel());
                MasterDns dns = new MasterDns(cout); // dns-01: the master publishes the records
                new ControlLoop(cin, cout, new RequestHandler(client, dns, debug), hello.maxParallel(), accountd, dns)
                        .run();
            } catch (LateAccountd.GoneException e) {
                // accountd said why on its own stderr; the master decides whether to add a line
                log.debug("lacme-accountd closed the connection before its greeting");
                return Control.EXIT_ACCOUNTD_GONE;
            } finally {
                accountd.close();
            }
        }
        log.debug("control channel closed, exiting");
        return 0;
    }

    /**
     * Fetches the directory and a first nonce in the background, right after hello (issue
     * 13): the master meanwhile asks for renewal windows or builds CSRs, and the first order
     * then starts without these round trips. A failure here only costs the head start: the
     * requests fetch again and report their own errors.
     */
    private static void prefetch(AcmeClient client, Logger log) {
        Thread t = new Thread(() -> {
            try {
                client.prefetch();
            } catch (Exception e) {
                log.debug("directory prefetch: {}", oneLine(e));
            }
        }, "prefetch");
        t.setDaemon(true);
        t.start();
    }

    /** True when {@code ain} is at EOF before its first byte; otherwise nothing is consumed. */
    static boolean closedBeforeGreeting(BufferedInputStream ain) throws IOException {
        ain.mark(1);
        if (ain.read() < 0) {
            return true;
        }
        ain.reset();
        return false;
    }

    /**
     * Reads accountd's greeting from {@code ain} and opens the connection to the ACME
     * server described by {@code hello}, signing through accountd.
     */
    public static AcmeConnection connect(Hello hello, InputStream ain, OutputStream aout, Logger log)
            throws IOException, GeneralSecurityException {
        return open(hello, greetedKey(ain, aout, log));
    }

    /** The account key announced by accountd's greeting on {@code ain}, signing through that connection. */
    static AccountKey greetedKey(InputStream ain, OutputStream aout, Logger log) throws IOException {
        AccountdCodec.Greeting g = AccountdCodec.readGreeting(ain);
        log.debug("lacme-accountd greeting: alg {}, kid {}", g.alg(), g.kid());
        try {
            JWSAlgorithm alg = JWSAlgorithm.parse(g.alg());
            return new AccountKey(g.alg(), g.jwk(), g.thumbprint(), g.kid(), new AccountdSigner(ain, aout, alg));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("unusable lacme-accountd greeting: " + e.getMessage());
        }
    }

    /** The connection to the ACME server described by {@code hello}; {@code key} may come later. */
    static AcmeConnection open(Hello hello, AccountKey key) throws ProtocolException, GeneralSecurityException {
        TlsSettings tls;
        try {
            tls = TlsSettings.create(hello.sslVerify(), hello.caPem(), hello.sslVersion(), hello.sslCipherList());
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
        URI server;
        try {
            server = URI.create(hello.server());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("malformed server URL in hello: " + e.getMessage());
        }
        return new AcmeConnection(Https.build(tls, "lacme-client/" + VERSION, hello.maxParallel(),
                Duration.ofSeconds(hello.timeout())), server, key);
    }

    /** An exception as one line: its message, or its class when it has none. */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return Sanitize.line(m == null || m.isBlank() ? e.getClass().getSimpleName() : m, ControlCodec.MAX_LINE);
    }
}
