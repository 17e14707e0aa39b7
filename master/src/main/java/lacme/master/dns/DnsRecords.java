package lacme.master.dns;

import lacme.master.Cleanup;
import lacme.master.Fatal;
import lacme.master.csr.Identifiers;

import java.util.List;

/**
 * The master's side of a dns-01 request for one section: the client only asks, the master
 * checks ({@link TxtRecordCheck}) and only then runs the hook ({@link DnsHook}). A refused
 * request runs nothing and fails the order with a line naming the section.
 */
public final class DnsRecords {
    private final String section;
    private final List<Identifiers.Name> identifiers;
    private final DnsHook hook;

    public DnsRecords(String section, List<Identifiers.Name> identifiers, DnsHook hook) {
        this.section = section;
        this.identifiers = List.copyOf(identifiers);
        this.hook = hook;
    }

    /**
     * Publishes the TXT record {@code name} = {@code value} the client asked for.
     *
     * @return its removal (also registered in the cleanup)
     * @throws Fatal naming the section when refused, or when the hook fails or times out
     */
    public Cleanup.Action publish(String name, String value) throws Fatal {
        try {
            TxtRecordCheck.check(section, identifiers, name, value);
        } catch (IllegalArgumentException e) {
            throw new Fatal(e.getMessage());
        }
        return hook.add(name, value);
    }
}
