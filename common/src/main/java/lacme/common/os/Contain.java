package lacme.common.os;

import java.util.ArrayList;
import java.util.List;

/**
 * How a child is fenced in before its privileges are dropped (issue 10, findings 2 and 5).
 * Java cannot fork, so this is an exec wrapper run by root in front of {@link Setpriv}:
 * util-linux {@code unshare --pid --fork --kill-child --mount-proc} puts the child in a PID
 * namespace of its own whose init it is, so anything it double-forks dies with it (the
 * kernel kills a namespace whose init is gone, and init gets SIGKILL when the master's
 * {@code unshare} dies); {@code --net} adds an empty network namespace for a child that
 * needs none (the webserver serves the socket it inherits, which keeps working), and
 * {@code setsid} starts it in a session without a controlling terminal, so it cannot
 * {@code TIOCSTI} input into root's shell nor open {@code /dev/tty}. {@code setpriv
 * --pdeathsig=SIGKILL} in front makes {@code unshare} itself die with the master (Java spawns
 * from the master's main thread, which lives as long as the run): a master killed with
 * SIGKILL, which runs no cleanup, still takes every child with it. Namespaces need root:
 * a master not running as root (tests only) starts its children uncontained.
 */
public record Contain(boolean session, boolean network) {
    /** Absolute paths, so root never runs a PATH-resolved program. */
    public static final String UNSHARE = "/usr/bin/unshare";
    public static final String SETSID = "/usr/bin/setsid";

    /** Own session, own PID namespace, no network: the webserver. */
    public static final Contain OFFLINE = new Contain(true, true);
    /** Own session and PID namespace, the host's network: the client. */
    public static final Contain ONLINE = new Contain(true, false);

    /** The argv prefix, to be followed by {@link Setpriv#prefix()} and the program. */
    public List<String> prefix() {
        List<String> a = new ArrayList<>();
        if (Setpriv.currentUid() != 0) {
            return a;
        }
        a.add(Setpriv.SETPRIV);
        a.add("--pdeathsig=SIGKILL");
        a.add("--");
        a.add(UNSHARE);
        a.add("--pid");
        a.add("--fork");
        a.add("--kill-child");
        a.add("--mount-proc");
        if (network) {
            a.add("--net");
        }
        if (session) {
            a.add(SETSID);
        }
        return a;
    }
}
