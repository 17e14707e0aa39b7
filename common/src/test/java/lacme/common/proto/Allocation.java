package lacme.common.proto;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocates while running a piece of code (HotSpot's per-thread
 * counter), so a fuzz target can assert a reader's documented memory bound per input.
 */
final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {
    }

    /** Something to measure; may throw what the code under test throws. */
    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} and returns what it allocated; what it throws is passed on. */
    static long measure(Body body) throws Exception {
        long id = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(id);
        body.run();
        return THREADS.getThreadAllocatedBytes(id) - before;
    }
}
