package lacme.accountd;

/**
 * SIGINT and SIGTERM end lacme-accountd with status 0 after the shutdown hooks ran (which
 * unlink the socket), as the Perl daemon's {@code exit} in its signal handler does; the
 * JVM's default would be 130/143, which service managers count as a failure. Uses
 * sun.misc.Signal (module jdk.unsupported, kept by JEP 260 for exactly this); where it is
 * missing the JVM default stays, and the socket is still removed by the hooks.
 */
final class SignalExit {
    private SignalExit() {
    }

    static void install() {
        try {
            for (String name : new String[] {"INT", "TERM"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> System.exit(0));
            }
        } catch (LinkageError | IllegalArgumentException e) {
            // keep the JVM's handlers
        }
    }
}
