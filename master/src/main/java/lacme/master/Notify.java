package lacme.master;

import java.io.IOException;

/** Runs a section's {@code notify} command through {@code /bin/sh -c}, as lacme does. */
final class Notify {
    private Notify() {
    }

    /** Environment variable with the CA's explanationURL of the renewal window (RFC 9773), when it gave one. */
    static final String ARI_EXPLANATION = "LACME_ARI_EXPLANATION";

    /** Returns false (and warns) when the command fails. */
    static boolean run(Context ctx, String section, String command) {
        return run(ctx, section, command, null);
    }

    /**
     * Like {@link #run(Context, String, String)}, with {@value #ARI_EXPLANATION} set to
     * {@code explanation} (already one sanitised line) when not null, so that a notify script
     * can tell its admin why the CA asked for an early renewal.
     */
    static boolean run(Context ctx, String section, String command, String explanation) {
        if (command == null) {
            return true;
        }
        ctx.log.info("Running notification command `{}`", command);
        try {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).inheritIO();
            pb.environment().remove(ARI_EXPLANATION);
            if (explanation != null) {
                pb.environment().put(ARI_EXPLANATION, explanation);
            }
            Process p = pb.start();
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
