package lacme.it;

import lacme.testkit.Pebble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One client process serves every order of a run: a newOrder for ten sections completes
 * with exactly one client, counted twice — by a wrapper {@code [client] command} that logs
 * its PID namespace before exec'ing the real client (the client is the init of a namespace of
 * its own, where its pid is 1), and by watching the master's descendants.
 */
class OneClientIT {
    static Pebble pebble;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        pebble = Pebble.start();
    }

    @AfterAll
    static void tearDown() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void tenSectionsOneClientProcess() throws Exception {
        Path wrapper = tmp.resolve("client-wrapper");
        Files.writeString(wrapper, "#!/bin/sh\necho \"lacme-it: client pidns $(readlink /proc/self/ns/pid)\" >&2\nexec " + Dist.client() + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Tree.Settings s = Tree.Settings.of(pebble);
        s.sections = IntStream.range(0, 10).mapToObj(i -> "s" + i).toList();
        s.client.put("command", wrapper.toString());
        Path conf = Tree.write(tmp, s);
        Dist.register(tmp, conf);

        Set<Long> seen = new TreeSet<>();
        Set<String> seenNs = new TreeSet<>();
        Dist.Run r;
        long t0 = System.nanoTime();
        try (MasterRun m = MasterRun.start(tmp, List.of(Dist.lacme().toString(), "--config=" + conf, "newOrder"))) {
            m.await(x -> {
                for (long pid : x.running(Procs.CLIENT)) {
                    seen.add(pid);
                    try {
                        seenNs.add(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString());
                    } catch (java.io.IOException gone) {
                        // exited meanwhile
                    }
                }
                return false;
            }, 300);
            r = m.finish(10);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, r.exit(), r.toString());
        List<String> pids = new ArrayList<>();
        Matcher mm = Pattern.compile("lacme-it: client pidns (pid:\\[\\d+\\])").matcher(r.stderr());
        while (mm.find()) {
            pids.add(mm.group(1));
        }
        assertEquals(1, pids.size(), "the client command ran once: " + r.stderr());
        assertEquals(1, seen.size(), "one client process seen alive: " + seen);
        assertEquals(Set.of(pids.get(0)), seenNs, "the one client seen alive is the one logged");
        for (String sec : s.sections) {
            assertTrue(Files.size(tmp.resolve(sec + ".crt")) > 0, sec);
            assertTrue(Files.size(tmp.resolve(sec + ".chain.pem")) > 0, sec);
        }
        assertEquals(10, r.stdout().toLowerCase().split("sha256 fingerprint=", -1).length - 1, r.stdout());
        System.out.println("OneClientIT: 10 sections (20 names) issued by one client process in " + ms + " ms");
    }
}
