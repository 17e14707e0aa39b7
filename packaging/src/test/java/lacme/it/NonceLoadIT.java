package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Load (issue 15, opt-in with {@code -Dlacme.load=true}: about 10 minutes): 50 consecutive
 * issuances through the launchers against a Pebble that rejects half the nonces
 * ({@code PEBBLE_WFE_NONCEREJECT=50}) and sleeps before validating (PEBBLE_VA_NOSLEEP unset).
 * Every run must succeed; the badNonce retries the client took (its --debug lines) and the
 * run times are printed for docs/fault-matrix.md.
 */
@EnabledIfSystemProperty(named = "lacme.load", matches = "true")
class NonceLoadIT {
    static final int RUNS = Integer.getInteger("lacme.load.runs", 50);
    @TempDir
    Path tmp;

    @Test
    void fiftyIssuancesAtHalfTheNoncesRejected() throws Exception {
        try (Pebble pebble = Pebble.builder().nonceReject(50).vaNoSleep(false).start()) {
            Tree.Settings s = Tree.Settings.of(pebble);
            s.sections = List.of("ec");
            Path conf = Tree.write(tmp, s);
            Dist.register(tmp, conf);
            List<String> failures = new ArrayList<>();
            long retries = 0;
            long slowest = 0;
            long t0 = System.nanoTime();
            for (int i = 1; i <= RUNS; i++) {
                long t = System.nanoTime();
                Dist.Run r = Dist.run(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "--debug",
                        "newOrder", "--force"), 300);
                long ms = (System.nanoTime() - t) / 1_000_000;
                slowest = Math.max(slowest, ms);
                long n = r.stderr().lines().filter(l -> l.contains("badNonce from")).count();
                retries += n;
                System.err.println("LOAD run " + i + ": exit " + r.exit() + ", " + n + " badNonce retries, " + ms + " ms");
                if (r.exit() != 0) {
                    failures.add("run " + i + ": " + r.stderr().lines().filter(l -> l.contains("ERROR")).toList());
                }
            }
            System.err.println("LOAD " + RUNS + " runs: " + failures.size() + " failures, " + retries
                    + " badNonce retries, " + (System.nanoTime() - t0) / 1_000_000 + " ms in all, slowest " + slowest
                    + " ms");
            assertEquals(List.of(), failures);
        }
    }
}
