package lacme.client;

import lacme.common.proto.Control.AccountdHandover;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Kind;
import lacme.common.proto.Control.Request;
import lacme.common.proto.Control.Result;
import lacme.common.proto.ControlCodec;
import lacme.common.proto.ControlDnsCodec;
import lacme.common.proto.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads request frames after {@code hello} and answers each one exactly once. Requests run
 * on a fixed pool, so at most {@code parallel} orders are in flight and one slow or failing
 * order does not hold up the others; answers go out in completion order (the master
 * matches them by {@code id}). A result too big for a frame goes out as a failure naming
 * the reason ({@link ControlCodec#writeResult}), so the master is never left waiting. EOF at
 * a frame boundary ends the loop once every accepted request is answered.
 */
public final class ControlLoop {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");
    private final InputStream in;
    private final OutputStream out;
    private final RequestHandler handler;
    private final int parallel;
    private final Accountd accountd;
    private final MasterDns dns;
    private volatile IOException writeError;

    /**
     * The client's lacme-accountd connection, which may arrive after hello (issue 13): asked
     * before each request that signs, and given the {@code accountd} frame's descriptor.
     */
    public interface Accountd {
        /** True once the account key is usable. */
        boolean attached();

        /** Takes the descriptor that came with an {@code accountd} frame, reading accountd's greeting. */
        void handover() throws IOException;
    }

    /** A loop whose accountd connection came with hello (a late handover is a protocol error). */
    public ControlLoop(InputStream in, OutputStream out, RequestHandler handler, int parallel) {
        this(in, out, handler, parallel, WITH_HELLO);
    }

    /** The accountd connection that came with hello: always attached, a late handover is a protocol error. */
    public static final Accountd WITH_HELLO = new Accountd() {
        @Override
        public boolean attached() {
            return true;
        }

        @Override
        public void handover() throws ProtocolException {
            throw new ProtocolException("'" + ControlCodec.ACCOUNTD + "' after a hello that carried accountd");
        }
    };

    public ControlLoop(InputStream in, OutputStream out, RequestHandler handler, int parallel, Accountd accountd) {
        this(in, out, handler, parallel, accountd, null);
    }

    /** A loop that also delivers the master's answers to {@code dns}'s requests (null: none expected). */
    public ControlLoop(InputStream in, OutputStream out, RequestHandler handler, int parallel, Accountd accountd,
                       MasterDns dns) {
        this.dns = dns;
        this.in = in;
        this.out = out;
        this.handler = handler;
        this.parallel = parallel;
        this.accountd = accountd;
    }

    /**
     * Serves until EOF.
     *
     * @throws ProtocolException when the master breaks the protocol (the client then exits 1)
     * @throws IOException       when a result could not be written
     */
    public void run() throws IOException, InterruptedException {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "request-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Object> frame;
            while ((frame = readFrame()) != null) {
                if (dns != null && ControlDnsCodec.isAnswer(frame)) {
                    dns.deliver(ControlDnsCodec.decodeAnswer(frame));
                    continue;
                }
                Request request = ControlCodec.decodeRequest(frame);
                if (request instanceof AccountdHandover) {
                    accountd.handover(); // on this thread: the requests after it may sign
                    continue;
                }
                if (request.kind() != null && request.kind() != Kind.RENEWAL_INFO && !accountd.attached()) {
                    throw new ProtocolException("'" + request.kind().name().toLowerCase(java.util.Locale.ROOT)
                            + "' request before the lacme-accountd connection");
                }
                Request r = request;
                pool.execute(() -> reply(handler.handle(r)));
            }
            if (dns != null) {
                dns.closed();
            }
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.debug("waiting for requests in flight");
            }
        } finally {
            pool.shutdownNow();
            // let interrupted orders remove their challenge files before the process exits
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (writeError != null) {
            throw writeError;
        }
    }

    private void reply(Result result) {
        synchronized (out) {
            try {
                Result sent = ControlCodec.writeResult(out, result);
                if (sent != result) {
                    LOG.error("request {}: {}", result.id(), ((Failure) sent).error());
                }
            } catch (IOException e) {
                // the master closed the channel: it is ending the run (a signal, a failure) and
                // reports the cause itself; a line from here would only add noise to its own
                LOG.debug("cannot send the result of request {}: {}", result.id(), e.getMessage());
                writeError = new MasterGoneException(e);
            }
        }
    }

    /**
     * The next frame; a read error that is not the master's protocol fault (a reset, a broken
     * channel) means the master is gone: {@link MasterGoneException}, which the client keeps quiet.
     */
    private Map<String, Object> readFrame() throws IOException {
        try {
            return ControlCodec.read(in);
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw new MasterGoneException(e);
        }
    }

    /**
     * The control channel broke (a result could not be written, or a read failed): the master
     * is gone or closed it, so the client ends (status 1) without an error line of its own.
     */
    public static final class MasterGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        MasterGoneException(IOException cause) {
            super("the master closed the control channel: " + cause.getMessage(), cause);
        }
    }
}
