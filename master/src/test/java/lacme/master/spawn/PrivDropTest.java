package lacme.master.spawn;

import lacme.master.Fatal;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The master's drop is lacme.common.os.Setpriv (see SetprivTest) with errors as Fatal lines. */
class PrivDropTest {
    @Test
    void unknownUserOrGroupIsAFatalLineBeforeSpawning() {
        assertEquals("getpwnam(no-such-user-xyz): no such user",
                assertThrows(Fatal.class, () -> PrivDrop.of("no-such-user-xyz", "")).getMessage());
        assertEquals("getgrnam(no-such-group-xyz): no such group",
                assertThrows(Fatal.class, () -> PrivDrop.of("", "no-such-group-xyz")).getMessage());
    }
}
