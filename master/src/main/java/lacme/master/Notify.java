package lacme.master;

import java.io.IOException;

/** Runs a section's {@code notify} command through {@code /bin/sh -c}, as lacme does. */
final class Notify {
    private Notify() {
    }

    /** Returns false (and warns) when the command fails. */
    static boolean run(Context ctx, String section, String command) {
        if (command == null) {
            return true;
        }
        ctx.log.info("Running notification command `{}`", command);
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", command).inheritIO().start();
            int rc = p.waitFor();
            if (rc != 0) {
                ctx.log.warn("[{}] Warning: notification command exited with value {}", section, rc);
                return false;
            }
            return true;
        } catch (IOException e) {
            ctx.log.warn("[{}] Warning: notification command failed: {}", section, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
