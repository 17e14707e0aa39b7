package lacme.master.dns;

import lacme.common.config.ConfigException;
import lacme.common.proto.Control.DnsAction;
import lacme.common.proto.Control.DnsAnswer;
import lacme.common.proto.Control.DnsRequest;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Result;
import lacme.common.text.Sanitize;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import lacme.master.config.ChallengePreference;
import lacme.master.csr.Identifiers;
import lacme.master.spawn.Spawner;
import org.slf4j.Logger;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The master's answers to the client's dns-01 requests during {@code newOrder}
 * (docs/protocol/control.md): each request names one of the run's pending orders, and is
 * checked against THAT order's section ({@link DnsRecords}) before the section's hook runs.
 *
 * <p>The client only asks. A refused request (a name outside the section, a value that is not
 * a digest, no hook, a failing or timed-out hook) is answered with the reason and fails the
 * order with the master's own line naming the section, even if the client carried on. A
 * request for an order that is not pending, or more requests than the order can need, breaks
 * the protocol and ends the run: a hostile client cannot keep the master running hooks. Every
 * record published is removed when the client asks, when the order's answer arrives, and
 * otherwise by the {@link Cleanup} (failure, SIGTERM, SIGINT).
 */
public final class DnsRequests {
    private final Spawner spawner;
    private final Cleanup cleanup;
    private final Logger log;
    private final Map<String, Order> orders = new HashMap<>();

    /** One pending order's dns-01 state. */
    private static final class Order {
        final String section;
        final DnsRecords records; // null: the section does not answer dns-01
        final int dnsNames;
        final Map<String, Cleanup.Action> published = new LinkedHashMap<>();
        int requests;
        int adds;
        String refusal;

        Order(String section, DnsRecords records, int dnsNames) {
            this.section = section;
            this.records = records;
            this.dnsNames = dnsNames;
        }
    }

    public DnsRequests(Spawner spawner, Cleanup cleanup, Logger log) {
        this.spawner = spawner;
        this.cleanup = cleanup;
        this.log = log;
    }

    /** Registers a sent order: its section, identifiers and settings (already checked by newOrder's plan). */
    public void register(Id order, String section, List<Identifiers.Name> names, Map<String, String> conf)
            throws Fatal {
        DnsSettings settings;
        try {
            settings = DnsSettings.of(section, conf, ChallengePreference.of(section, conf.get("challenge")));
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
        DnsRecords records = settings == null ? null : new DnsRecords(section, names, new DnsHook(spawner, cleanup,
                settings.user(), settings.command(), settings.timeout(), section, log));
        int dns = (int) names.stream().filter(n -> "dns".equals(n.type())).count();
        orders.put(order.text(), new Order(section, records, dns));
    }

    /**
     * Answers one request of the client.
     *
     * @throws Fatal when the request breaks the protocol (unknown order, too many requests)
     */
    public DnsAnswer answer(DnsRequest r) throws Fatal {
        Order o = orders.get(r.order().text());
        if (o == null) {
            throw new Fatal("the client broke the control protocol: dns request for order '"
                    + Sanitize.line(r.order().text(), 64) + "', which is not pending");
        }
        if (++o.requests > 2 * o.dnsNames + 2) {
            throw new Fatal("the client broke the control protocol: more dns requests than [" + o.section
                    + "] can need (" + (2 * o.dnsNames + 2) + ")");
        }
        String key = r.name() + " " + r.value();
        if (r.action() == DnsAction.REMOVE) {
            Cleanup.Action remove = o.published.remove(key);
            if (remove != null) {
                cleanup.runNow(remove);
            }
            return new DnsAnswer(r.id(), null); // nothing of ours there (never added, or gone): done
        }
        if (o.refusal != null) {
            return new DnsAnswer(r.id(), o.refusal); // the order fails: nothing more is published for it
        }
        if (o.published.containsKey(key)) {
            return new DnsAnswer(r.id(), null);
        }
        try {
            if (o.records == null) {
                throw new Fatal("[" + o.section + "] refused DNS record '" + Sanitize.line(r.name(), 80)
                        + "': the section does not list dns-01 in 'challenge'");
            }
            if (++o.adds > o.dnsNames) {
                throw new Fatal("[" + o.section + "] refused DNS record '" + Sanitize.line(r.name(), 80)
                        + "': more records than the section has DNS identifiers");
            }
            o.published.put(key, o.records.publish(r.name(), r.value()));
            return new DnsAnswer(r.id(), null);
        } catch (Fatal e) {
            o.refusal = e.getMessage();
            log.debug("{}", o.refusal);
            return new DnsAnswer(r.id(), o.refusal);
        }
    }

    /**
     * Ends an order when its result arrives: removes the records still published for it, and
     * makes a refused order fail with the master's own reason (never the client's echo of it),
     * whatever the client answered.
     */
    public Result finished(Result r) {
        Order o = orders.remove(r.id().text());
        if (o == null) {
            return r;
        }
        for (Cleanup.Action remove : o.published.values()) {
            cleanup.runNow(remove);
        }
        o.published.clear();
        if (o.refusal == null) {
            return r;
        }
        String prefix = "[" + o.section + "] ";
        return new Failure(r.id(), o.refusal.startsWith(prefix) ? o.refusal.substring(prefix.length()) : o.refusal);
    }
}
