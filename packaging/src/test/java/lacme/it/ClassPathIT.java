package lacme.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each launcher gets only its own program's class path. Read from the command line of the
 * running JVM the real webserver launcher started, so a launcher that ignored its class-path
 * file (or a file that listed everything) fails here: the internet-facing webserver must
 * carry no Nimbus or HttpClient jar. No program carries picocli, on its class path or in its
 * class list (its start-up cost, ~0.1 s CPU and ~170 classes, was about the webserver's whole
 * run, issue 12). BouncyCastle it has since tls-alpn-01 (its validation certificates are built
 * with it, DESIGN.md); the HTTP responder loads none of its classes.
 */
class ClassPathIT {
    static final List<String> NOT_IN_WEBSERVER = List.of("nimbus", "httpclient", "httpcore", "picocli");

    @TempDir
    Path tmp;

    static List<String> jars(String classPath) {
        return Arrays.stream(classPath.split(":")).map(j -> Path.of(j).getFileName().toString()).toList();
    }

    @Test
    void theRunningWebserverHasOnlyItsOwnJars() throws Exception {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Process p = new ProcessBuilder(Dist.webserver().toString(), "--listen", "127.0.0.1:0", "--dir", tmp.toString(),
                "--timeout", "30").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            assertNotNull(line, "the webserver said nothing");
            assertTrue(line.contains("serving"), line);
            List<String> argv = Arrays.asList(Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).split("\0"));
            List<String> cp = jars(argv.get(argv.indexOf("-cp") + 1));
            assertTrue(cp.stream().anyMatch(j -> j.startsWith("lacme-webserver-")), cp.toString());
            assertTrue(cp.stream().anyMatch(j -> j.startsWith("lacme-common-")), cp.toString());
            for (String j : cp) {
                for (String banned : NOT_IN_WEBSERVER) {
                    assertFalse(j.startsWith(banned), "webserver class path has " + j + ": " + cp);
                }
                assertTrue(Files.isRegularFile(Dist.root().resolve("share/lacme/java").resolve(j)), j);
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(false, p.isAlive());
    }

    /**
     * The other programs do get what they import (so the check above is not vacuous), and
     * every jar of the tree is on some program's class path.
     */
    @Test
    void classPathFilesNameExistingJarsAndTheirOwnLibraries() throws Exception {
        Path java = Dist.root().resolve("share/lacme/java");
        Set<String> onSomeClassPath = new HashSet<>();
        for (String[] m : new String[][] {{"client", "httpclient5-"}, {"master", "bcpkix-"}, {"accountd", "nimbus-"},
            {"webserver", "slf4j-api-"}}) {
            List<String> cp = Files.readAllLines(java.resolve(m[0] + ".classpath")).stream()
                    .filter(l -> !l.isEmpty()).toList();
            assertTrue(cp.get(0).startsWith("lacme-" + m[0] + "-"), cp.toString());
            assertTrue(cp.stream().anyMatch(j -> j.startsWith(m[1])), m[0] + ": " + cp);
            assertFalse(Files.readAllLines(java.resolve(m[0] + ".classlist")).stream()
                    .anyMatch(l -> !l.startsWith("#") && l.contains("picocli")), m[0] + ".classlist names picocli");
            for (String j : cp) {
                assertTrue(Files.isRegularFile(java.resolve(j)), m[0] + ": " + j);
                // picocli's start-up cost (issue 12): every command line goes through LongOptions
                assertFalse(j.startsWith("picocli-"), m[0] + ": " + j);
                // slf4j-simple's class-path search for its properties file (issue 12): the
                // binding is lacme.common.log's own
                assertFalse(j.startsWith("slf4j-simple-"), m[0] + ": " + j);
                // Nimbus (its Gson: ~150 classes and reflection at the first document, issue
                // 12) only where JWS objects are made or keys read: the client and accountd
                assertFalse(j.startsWith("nimbus-") && !m[0].equals("client") && !m[0].equals("accountd"),
                        m[0] + ": " + j);
            }
            onSomeClassPath.addAll(cp);
        }
        // the packages ship every jar of the tree: one no program uses (a dropped library such
        // as picocli, left by an earlier build) must not ship
        try (Stream<Path> jars = Files.list(java)) {
            for (Path j : jars.filter(f -> f.toString().endsWith(".jar")).toList()) {
                assertTrue(onSomeClassPath.contains(j.getFileName().toString()),
                        j + " is on no program's class path (left by an earlier build? mvn clean)");
            }
        }
    }
}
