package lacme.accountd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The issue-3 benchmark, off by default (it measures, it does not test): ours and Debian's
 * lacme-accountd side by side on sockets, 1, 8 and 64 concurrent connections of 10
 * signatures, RSA-2048 and P-256 (Perl is RSA-only). Run with
 * {@code accountd/bench/accountd-bench.sh}; the table is printed and written to
 * {@code accountd/target/accountd-bench.txt}. {@code -Dlacme.bench.jvmflags="..."} runs our
 * daemon with other JVM flags (e.g. the launcher's).
 */
@EnabledIfSystemProperty(named = "lacme.bench", matches = "true")
class AccountdBenchmarkTest {
    private static final Path PERL = Path.of("/usr/bin/lacme-accountd");
    private static final int[] CONNS = {1, 8, 64};
    private static final int SIGS = 10;
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    @Test
    void benchmark() throws Exception {
        Path run = Files.createDirectory(dir.resolve("run"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path conf = Files.writeString(dir.resolve("empty.conf"), "");
        String flags = System.getProperty("lacme.bench.jvmflags", "").trim();
        List<String> jvmFlags = flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
        List<String> out = new ArrayList<>();
        out.add("# " + Runtime.getRuntime().availableProcessors() + " CPUs; our JVM flags: "
                + (flags.isEmpty() ? "(default)" : flags) + "; best of " + ROUNDS + " rounds");
        for (String kind : List.of("rsa-pkcs8", "p256-pkcs8")) {
            String key = "--privkey=file:" + TestKeys.get(kind);
            String alg = kind.startsWith("rsa") ? "RSA-2048" : "P-256";
            List<Child> daemons = new ArrayList<>();
            try {
                List<String[]> targets = new ArrayList<>();
                if (kind.startsWith("rsa") && Files.isExecutable(PERL)) {
                    Path s = run.resolve("perl-" + kind);
                    daemons.add(Child.start(List.of(PERL.toString(), "--quiet", "--config=" + conf, key, "--socket=" + s)));
                    targets.add(new String[] {"perl " + alg, s.toString()});
                }
                Path s = run.resolve("ours-" + kind);
                daemons.add(Child.ours(jvmFlags, "--quiet", "--config=" + conf, key, "--socket=" + s));
                targets.add(new String[] {"ours " + alg, s.toString()});
                for (String[] t : targets) {
                    Path sock = Path.of(t[1]);
                    for (int i = 0; i < 200 && !Files.exists(sock, LinkOption.NOFOLLOW_LINKS); i++) {
                        Thread.sleep(50);
                    }
                    AccountdBench.warmUp(sock);
                }
                for (int conns : CONNS) {
                    for (String[] t : targets) {
                        AccountdBench.Result best = null;
                        for (int r = 0; r < ROUNDS; r++) {
                            AccountdBench.Result res = AccountdBench.run(Path.of(t[1]), conns, SIGS, t[0]);
                            if (best == null || res.lastSeconds() < best.lastSeconds()) {
                                best = res;
                            }
                        }
                        out.add(best.toString());
                        System.out.println(best);
                    }
                }
            } finally {
                for (Child c : daemons) {
                    c.close();
                }
            }
        }
        Path report = Path.of("target", "accountd-bench.txt");
        Files.write(report, out);
        assertTrue(Files.size(report) > 0);
    }
}
