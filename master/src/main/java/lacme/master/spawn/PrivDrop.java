package lacme.master.spawn;

import lacme.common.os.Setpriv;
import lacme.master.Fatal;

/**
 * The master's privilege drop: {@link Setpriv} (argv, environment, specifiers, access check)
 * with an unknown user or group reported as the master reports every user error, a
 * {@link Fatal} line and exit status 1.
 */
public final class PrivDrop extends Setpriv {
    private PrivDrop(Setpriv s) {
        super(s);
    }

    /** Resolves user and group now, so a typo fails before anything is spawned. */
    public static PrivDrop of(String user, String group) throws Fatal {
        try {
            return new PrivDrop(Setpriv.resolve(user, group));
        } catch (IllegalArgumentException e) {
            throw new Fatal(e.getMessage());
        }
    }
}
