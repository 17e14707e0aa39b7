package lacme.master.spawn;

import lacme.common.os.Contain;
import lacme.common.proto.Control;
import lacme.common.proto.Control.DnsAnswer;
import lacme.common.proto.Control.DnsRequest;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Kind;
import lacme.common.proto.Control.Request;
import lacme.common.proto.Control.Result;
import lacme.common.proto.ControlCodec;
import lacme.common.proto.ControlDnsCodec;
import lacme.common.proto.ProtocolException;
import lacme.master.Fatal;
import org.newsclub.net.unix.AFUNIXSocketChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The master's side of the control channel (docs/protocol/control.md) to one client process,
 * which serves every request of the run. Every frame from the client is untrusted: an answer
 * to an unknown request id, a duplicate answer or a malformed frame ends the session, and the
 * wait for each answer is bounded ({@link Hello#answerWait()}), so a silent client cannot hold
 * the run, its firewall rules and its lock for ever.
 */
public final class ClientSession implements AutoCloseable {
    private final AFUNIXSocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final Spawner spawner;
    private final Spawner.Child child;
    private final Duration answerWait;
    private final Map<String, Kind> pending = new HashMap<>();
    /** Reads answers so that {@link #receive} can stop waiting; a daemon, ended by closing the channel. */
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "control-reader");
        t.setDaemon(true);
        return t;
    });
    private boolean stalled;
    private ClientRequests clientRequests;
    /** The accountd connection handed to the client (null: none), asked why the client quit. */
    private AccountdLink accountd;
    private int nextId = 1;

    private ClientSession(AFUNIXSocketChannel channel, Spawner spawner, Spawner.Child child, Duration answerWait) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
        this.spawner = spawner;
        this.child = child;
        this.answerWait = answerWait;
    }

    /**
     * Spawns the client with its control socket as fd 0/1, in {@code cwd}, and sends the hello
     * frame with the accountd connection attached; the master's copy of that connection is then
     * released.
     */
    public static ClientSession start(Map<String, String> clientConf, Hello hello, AccountdLink accountd, Path cwd,
                                      boolean debug, Spawner spawner) throws Fatal {
        PrivDrop drop = PrivDrop.of(clientConf.get("user"), clientConf.get("group"));
        List<String> argv = Spawner.split(clientConf.get("command"), "client");
        if (debug) {
            argv.add("--debug");
        }
        Spawner.Paired p = spawner.startOnSocketpair("lacme-client", drop, Contain.ONLINE, argv, Map.of(), cwd);
        Spawner.Child child = p.child();
        ClientSession s = new ClientSession(p.mine(), spawner, child, hello.answerWait());
        try {
            s.hello(hello, accountd);
        } catch (IOException e) {
            if (exited(child)) {
                throw s.lost("the client exited (status " + child.process().exitValue() + ") before answering");
            }
            throw new Fatal("Couldn't send the client its configuration: " + e, e);
        }
        return s;
    }

    /**
     * A session on a client that is already connected to {@code channel} (no process: the
     * contract test runs the real client in the same JVM); sends the hello, with the accountd
     * connection unless {@code accountd} is null.
     */
    public static ClientSession over(AFUNIXSocketChannel channel, Hello hello, AccountdLink accountd,
                                     Duration answerWait) throws IOException {
        ClientSession s = new ClientSession(channel, null, null, answerWait);
        s.hello(hello, accountd);
        return s;
    }

    private void hello(Hello hello, AccountdLink accountd) throws IOException {
        this.accountd = accountd;
        if (accountd == null) {
            ControlCodec.writeHello(out, hello);
            return;
        }
        channel.setOutboundFileDescriptors(accountd.fd());
        ControlCodec.writeHello(out, hello);
        channel.setOutboundFileDescriptors();
        accountd.release();
    }

    /**
     * Hands the client its lacme-accountd connection after hello (an {@code accountd} frame
     * with the descriptor; docs/protocol/control.md): newOrder connects to accountd only once
     * something is due (issue 13). The master's copy is then released.
     */
    public void handover(AccountdLink link) throws Fatal {
        this.accountd = link;
        try {
            channel.setOutboundFileDescriptors(link.fd());
            ControlCodec.writeRequest(out, new Control.AccountdHandover());
            channel.setOutboundFileDescriptors();
            link.release();
        } catch (IOException e) {
            throw lost("lost the connection to the client: " + e.getMessage());
        }
    }

    /**
     * The error for a client that went away: {@code message} while it still runs, its exit
     * status once it died, except when it quit because accountd closed before its greeting
     * ({@link Control#EXIT_ACCOUNTD_GONE}). Then an accountd the master spawned that exited
     * with status 255 (lacme-accountd's and ssh's die) has printed the reason (e.g. the missing key
     * file) and nothing is added (issue 15: one line, not three ending in "Connection reset by
     * peer"); otherwise the master says what happened.
     */
    private Fatal lost(String message) {
        if (child == null || !exited(child)) {
            return new Fatal(message);
        }
        int status = child.process().exitValue();
        if (status != Control.EXIT_ACCOUNTD_GONE) {
            // the cause is the client's death (e.g. kill -9), not the stream's "null" or "reset"
            return new Fatal("the client exited (status " + status + ")");
        }
        int accountdStatus = accountd == null ? -1 : accountd.spawnedExitStatus();
        if (accountdStatus == 255) {
            return Fatal.alreadyReported(); // lacme-accountd's (and ssh's) die: after its own line
        }
        return new Fatal(accountdStatus >= 0 ? "lacme-accountd exited (status " + accountdStatus
                + ") before its greeting" : "lacme-accountd closed the connection before its greeting");
    }

    /** True when the child is gone (given a moment to be reaped after it closed its socket). */
    private static boolean exited(Spawner.Child c) {
        try {
            return c.process().waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sends the request built for a fresh id; returns that id. */
    public Id send(Function<Id, Request> request) throws Fatal {
        Id id = Id.of(Integer.toString(nextId++));
        Request r = request.apply(id);
        if (!r.id().equals(id) || r.kind() == null) {
            throw new IllegalArgumentException("not a request for id " + id + ": " + r);
        }
        try {
            ControlCodec.writeRequest(out, r);
        } catch (IOException e) {
            throw lost("lost the connection to the client: " + e.getMessage());
        }
        pending.put(id.text(), r.kind());
        return id;
    }

    /** What answers the client's own requests (dns-01 records, lacme.master.dns.DnsRequests). */
    public interface ClientRequests {
        /** The answer to {@code r}; a Fatal ends the run (the request broke the protocol). */
        DnsAnswer answer(DnsRequest r) throws Fatal;
    }

    /** Serves the client's dns requests with {@code h} from now on; without it they break the protocol. */
    public void onClientRequest(ClientRequests h) {
        clientRequests = h;
    }

    /**
     * Reads the next answer, within the bound; it must answer a pending request, with that
     * request's kind. The client's own requests read meanwhile are answered on the way, each
     * read bounded anew (the master's own work on them is bounded by the hook's timeout).
     */
    public Result receive() throws Fatal {
        while (true) {
            Map<String, Object> f = next();
            try {
                if (clientRequests != null && ControlDnsCodec.isRequest(f)) {
                    DnsAnswer a = clientRequests.answer(ControlDnsCodec.decodeRequest(f));
                    try {
                        ControlDnsCodec.writeAnswer(out, a);
                    } catch (IOException e) {
                        throw lost("lost the connection to the client: " + e.getMessage());
                    }
                    continue;
                }
                Result r = ControlCodec.decodeResult(f, Map.copyOf(pending));
                pending.remove(r.id().text());
                return r;
            } catch (ProtocolException e) {
                throw new Fatal("the client broke the control protocol: " + e.getMessage());
            }
        }
    }

    /** The next frame from the client, within the bound. */
    private Map<String, Object> next() throws Fatal {
        Future<Map<String, Object>> next = reader.submit(() -> ControlCodec.read(in));
        Map<String, Object> f;
        try {
            f = next.get(answerWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            stalled = true;
            next.cancel(true);
            throw new Fatal("the client did not answer within " + answerWait.toSeconds() + " s (timeout + "
                    + Control.ANSWER_MARGIN.toSeconds() + " s); giving up");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Fatal("interrupted while waiting for the client");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ProtocolException) {
                throw new Fatal("the client broke the control protocol: " + c.getMessage());
            }
            throw lost("lost the connection to the client: " + c.getMessage());
        }
        if (f == null) {
            throw lost("the client exited before answering");
        }
        return f;
    }

    /** Requests still unanswered. */
    public int pending() {
        return pending.size();
    }

    /**
     * Closes the channel without waiting: the client's EOF, its "stop". Called once the last
     * answer is in, so that the client exits while the master verifies and installs (issue 12);
     * {@link #close} then only waits for it. Nothing may be sent or received after it.
     */
    public void endRequests() {
        try {
            channel.close();
        } catch (IOException e) {
            // close() waits for (or stops) the client either way
        }
    }

    /**
     * Closes the channel (the client's EOF, i.e. "stop") and waits for the client to exit —
     * not at all after it stalled: then it is stopped at once.
     */
    @Override
    public void close() {
        endRequests();
        reader.shutdownNow();
        if (child == null) {
            return;
        }
        try {
            spawner.waitFor(child, stalled ? 0 : 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The client's pid (tests read its /proc status). */
    public long pid() {
        return child.pid();
    }
}
