package lacme.master.spawn;

import lacme.common.json.Json;
import lacme.common.proto.ControlCodec;
import lacme.common.proto.ProtocolException;
import lacme.master.Fatal;
import org.newsclub.net.unix.AFUNIXSocketChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The master's side of the control channel (docs/protocol/control.md) to one client process,
 * which serves every request of the run. Every frame from the client is untrusted: an answer
 * to an unknown request id, a duplicate answer or a malformed frame ends the session.
 */
public final class ClientSession implements AutoCloseable {
    private final AFUNIXSocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final Spawner spawner;
    private final Spawner.Child child;
    private final Set<String> pending = new java.util.HashSet<>();
    private int nextId = 1;

    private ClientSession(AFUNIXSocketChannel channel, Spawner spawner, Spawner.Child child) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
        this.spawner = spawner;
        this.child = child;
    }

    /**
     * Spawns the client with its control socket as fd 0/1, in {@code cwd}, and sends the hello
     * frame with the accountd connection attached; the master's copy of that connection is then
     * released.
     */
    public static ClientSession start(Map<String, String> clientConf, Map<String, Object> hello,
                                      AccountdLink accountd, Path cwd, boolean debug,
                                      Spawner spawner) throws Fatal {
        PrivDrop drop = PrivDrop.of(clientConf.get("user"), clientConf.get("group"));
        List<String> argv = Spawner.split(clientConf.get("command"), "client");
        if (debug) {
            argv.add("--debug");
        }
        Spawner.Paired p = spawner.startOnSocketpair("lacme-client", drop, argv, Map.of(), cwd);
        AFUNIXSocketChannel mine = p.mine();
        Spawner.Child child = p.child();
        ClientSession s = new ClientSession(mine, spawner, child);
        try {
            Map<String, Object> h = new HashMap<>(hello);
            h.put("op", ControlCodec.HELLO);
            h.put("version", 1);
            mine.setOutboundFileDescriptors(accountd.fd());
            ControlCodec.write(s.out, h);
            mine.setOutboundFileDescriptors();
            accountd.release();
        } catch (IOException e) {
            throw new Fatal(exited(child) ? "the client exited (status " + child.process().exitValue()
                    + ") before answering" : "Couldn't send the client its configuration: " + e, e);
        }
        return s;
    }

    /** True when the child is gone (given a moment to be reaped after it closed its socket). */
    private static boolean exited(Spawner.Child c) {
        try {
            return c.process().waitFor(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sends one request; returns its id. */
    public String send(String op, Map<String, Object> body) throws Fatal {
        String id = Integer.toString(nextId++);
        Map<String, Object> f = new HashMap<>(body);
        f.put("op", op);
        f.put("id", id);
        try {
            ControlCodec.write(out, f);
        } catch (IOException e) {
            throw new Fatal("lost the connection to the client: " + e.getMessage());
        }
        pending.add(id);
        return id;
    }

    /** Reads the next answer; it must answer a pending request. */
    public Map<String, Object> receive() throws Fatal {
        Map<String, Object> f;
        try {
            f = ControlCodec.read(in);
        } catch (ProtocolException e) {
            throw new Fatal("the client broke the control protocol: " + e.getMessage());
        } catch (IOException e) {
            throw new Fatal("lost the connection to the client: " + e.getMessage());
        }
        if (f == null) {
            throw new Fatal("the client exited before answering");
        }
        try {
            String id = Json.requireString(f, "id");
            if (!ControlCodec.RESULT.equals(f.get("op")) || !pending.remove(id)) {
                throw new Fatal("the client sent an unexpected frame");
            }
            Json.bool(f, "ok", false);
            Json.string(f, "error");
        } catch (ParseException e) {
            throw new Fatal("the client sent a malformed answer: " + e.getMessage());
        }
        return f;
    }

    /** Requests still unanswered. */
    public int pending() {
        return pending.size();
    }

    /** Closes the channel (the client's EOF, i.e. "stop") and waits for the client to exit. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do: the client is stopped below either way
        }
        try {
            spawner.waitFor(child, 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The client's pid (tests read its /proc status). */
    public long pid() {
        return child.pid();
    }
}
