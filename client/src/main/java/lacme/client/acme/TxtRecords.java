package lacme.client.acme;

/**
 * Where the client asks for dns-01 TXT records: the master, which checks the request against
 * the order's section and runs the section's hook (the client holds no DNS credentials).
 */
public interface TxtRecords {
    /**
     * Has {@code name} = {@code value} published; returns once the master says it is done.
     *
     * @throws AcmeException with the master's reason when it refused, or when no answer came in time
     */
    void add(String name, String value, Poller budget) throws AcmeException, InterruptedException;

    /** Has the record removed; failures are logged, never thrown (it runs on every exit path). */
    void remove(String name, String value);
}
