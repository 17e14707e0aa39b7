package lacme.client;

import lacme.client.acme.AcmeException;
import lacme.client.acme.Poller;
import lacme.client.acme.TxtRecords;
import lacme.common.proto.Control;
import lacme.common.proto.Control.DnsAction;
import lacme.common.proto.Control.DnsAnswer;
import lacme.common.proto.Control.DnsRequest;
import lacme.common.proto.Control.Id;
import lacme.common.proto.ControlDnsCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's dns-01 requests to the master over the control channel (docs/protocol/control.md):
 * an order's thread sends {@code dns} and waits for the {@code dns_result} the control loop
 * delivers. Waits are bounded: an add by the order's deadline ({@code timeout}, at least
 * {@link Poller#MIN_RESPONSE_TIMEOUT}), a removal by {@link Control#ANSWER_MARGIN} whatever the
 * deadline (it runs after failures too). An answer arriving after its wait ended is dropped;
 * the master processes requests in order, so a removal asked meanwhile still follows the add.
 */
public final class MasterDns {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");
    private final OutputStream out;
    private final AtomicLong next = new AtomicLong();
    private final Map<String, CompletableFuture<DnsAnswer>> waiting = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param out the control channel; writes are serialised on it with the control loop's results */
    public MasterDns(OutputStream out) {
        this.out = out;
    }

    /** The records of one order (its request id). */
    public TxtRecords forOrder(Id order) {
        return new TxtRecords() {
            @Override
            public void add(String name, String value, Poller budget) throws AcmeException, InterruptedException {
                DnsAnswer a = ask(order, DnsAction.ADD, name, value, budget.responseTimeout(Control.UNBOUNDED_ANSWER_WAIT));
                if (!a.done()) {
                    throw new AcmeException(a.error());
                }
                LOG.debug("dns-01 record {} published", name);
            }

            @Override
            public void remove(String name, String value) {
                try {
                    DnsAnswer a = ask(order, DnsAction.REMOVE, name, value, Control.ANSWER_MARGIN);
                    if (!a.done()) {
                        LOG.warn("Warning: the master did not remove the dns-01 record {}: {}", name, a.error());
                    }
                } catch (AcmeException e) {
                    LOG.warn("Warning: removing the dns-01 record {}: {}", name, e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the master removes its records when the run ends anyway
                }
            }
        };
    }

    private DnsAnswer ask(Id order, DnsAction action, String name, String value, Duration wait)
            throws AcmeException, InterruptedException {
        Id id = Id.of("dns-" + next.incrementAndGet());
        CompletableFuture<DnsAnswer> answer = new CompletableFuture<>();
        waiting.put(id.text(), answer);
        try {
            if (closed) {
                throw new AcmeException("the master closed the control channel");
            }
            synchronized (out) {
                ControlDnsCodec.writeRequest(out, new DnsRequest(id, order, action, name, value));
            }
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new AcmeException("cannot ask the master for dns-01 record " + name + ": " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new AcmeException("the master did not " + action.wire() + " dns-01 record " + name + " within "
                    + wait.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new AcmeException(e.getCause().getMessage());
        } finally {
            waiting.remove(id.text());
        }
    }

    /** Delivers the master's answer (from the control loop); one nobody waits for any more is dropped. */
    public void deliver(DnsAnswer a) {
        CompletableFuture<DnsAnswer> f = waiting.remove(a.id().text());
        if (f == null) {
            LOG.debug("late dns answer {} dropped", a.id());
            return;
        }
        f.complete(a);
    }

    /** The control channel is closed: every wait ends now. */
    public void closed() {
        closed = true;
        for (CompletableFuture<DnsAnswer> f : waiting.values()) {
            f.completeExceptionally(new IOException("the master closed the control channel"));
        }
    }
}
