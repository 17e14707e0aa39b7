package lacme.client;

import lacme.client.acme.AcmeException;
import lacme.client.acme.Poller;
import lacme.client.acme.TxtRecords;
import lacme.common.proto.Control.DnsAction;
import lacme.common.proto.Control.DnsAnswer;
import lacme.common.proto.Control.DnsRequest;
import lacme.common.proto.Control.Id;
import lacme.common.proto.ControlCodec;
import lacme.common.proto.ControlDnsCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client's dns-01 requests: the master's answer delivered to the waiting order; every wait bounded. */
@Timeout(30)
class MasterDnsTest {
    private static final String NAME = "_acme-challenge.www.example.test";
    private static final String VALUE = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

    /** Waits until {@code out} holds a request, and decodes it. */
    private static DnsRequest sent(ByteArrayOutputStream out) throws Exception {
        for (int i = 0; i < 200 && out.size() == 0; i++) {
            Thread.sleep(10);
        }
        synchronized (out) {
            InputStream in = new ByteArrayInputStream(out.toByteArray());
            out.reset();
            return ControlDnsCodec.decodeRequest(ControlCodec.read(in));
        }
    }

    @Test
    void theAnswerReachesTheWaitingOrderAndARefusalIsItsError() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MasterDns dns = new MasterDns(out);
        TxtRecords records = dns.forOrder(Id.of("3"));
        CompletableFuture<Void> add = CompletableFuture.runAsync(() -> {
            try {
                records.add(NAME, VALUE, new Poller(Duration.ofSeconds(20), Poller.Clock.SYSTEM));
            } catch (AcmeException | InterruptedException e) {
                throw new IllegalStateException(e.getMessage());
            }
        });
        DnsRequest r = sent(out);
        assertEquals(new DnsRequest(r.id(), Id.of("3"), DnsAction.ADD, NAME, VALUE), r);
        dns.deliver(new DnsAnswer(r.id(), null));
        add.get();

        CompletableFuture<String> refused = CompletableFuture.supplyAsync(() -> {
            AcmeException e = assertThrows(AcmeException.class,
                    () -> records.add(NAME, VALUE, new Poller(Duration.ofSeconds(20), Poller.Clock.SYSTEM)));
            return e.getMessage();
        });
        dns.deliver(new DnsAnswer(sent(out).id(), "[www] refused DNS record"));
        assertEquals("[www] refused DNS record", refused.get());
    }

    @Test
    void aSilentMasterCostsAtMostTheOrdersDeadlineAndALateAnswerIsDropped() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MasterDns dns = new MasterDns(out);
        long t0 = System.nanoTime();
        AcmeException e = assertThrows(AcmeException.class, () -> dns.forOrder(Id.of("1")).add(NAME, VALUE,
                new Poller(Duration.ofSeconds(1), Poller.Clock.SYSTEM)));
        long took = System.nanoTime() - t0;
        assertEquals("the master did not add dns-01 record " + NAME + " within 5 s", e.getMessage());
        assertTrue(took >= 4_500_000_000L && took < 15_000_000_000L, "bounded by the deadline (at least 5 s): " + took);
        dns.deliver(new DnsAnswer(sent(out).id(), null)); // late: nobody waits, nothing happens
    }

    @Test
    void theMastersEofEndsEveryWait() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MasterDns dns = new MasterDns(out);
        CompletableFuture<String> add = CompletableFuture.supplyAsync(() -> assertThrows(AcmeException.class,
                () -> dns.forOrder(Id.of("1")).add(NAME, VALUE, Poller.unbounded())).getMessage());
        sent(out);
        dns.closed();
        assertEquals("the master closed the control channel", add.get());
        assertThrows(AcmeException.class, () -> dns.forOrder(Id.of("1")).add(NAME, VALUE, Poller.unbounded()));
    }
}
