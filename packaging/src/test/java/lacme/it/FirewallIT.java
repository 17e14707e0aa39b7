package lacme.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code iptables = Yes}, inside a network namespace the test creates, with Pebble running in
 * it and a firewall that drops every new inbound connection except to Pebble: issuance only
 * succeeds because the master opens the webserver's port (80, the default), and fails with
 * {@code iptables = No}. The rules are seen in place during the run (IPv4, IPv6, and IPv4 for
 * the dual-stack {@code [::]}), and the saved rules are back afterwards — after success,
 * after a failure and after SIGTERM, and also when the namespace had no filter table at all.
 */
class FirewallIT {
    static final String V4_BASE = String.join("\n", "*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]",
            ":OUTPUT ACCEPT [0:0]", "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport " + Netns.ACME + " -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport " + Netns.MANAGEMENT + " -j ACCEPT",
            "-A INPUT -p udp -m udp --dport " + Netns.DNS + " -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport " + Netns.DNS + " -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport " + Netns.CHALLTESTSRV + " -j ACCEPT", "COMMIT", "");
    static final String V6_BASE = String.join("\n", "*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]",
            ":OUTPUT ACCEPT [0:0]", "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT", "COMMIT", "");
    static final List<String> V4_OPENED = List.of(
            "-A INPUT -d 127.0.0.1/32 -p tcp -m tcp --dport 80 -m state --state NEW,ESTABLISHED -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 8082 -m state --state NEW,ESTABLISHED -j ACCEPT",
            "-A OUTPUT -s 127.0.0.1/32 -p tcp -m tcp --sport 80 -m state --state ESTABLISHED -j ACCEPT",
            "-A OUTPUT -p tcp -m tcp --sport 8082 -m state --state ESTABLISHED -j ACCEPT");
    static final List<String> V6_OPENED = List.of(
            "-A INPUT -d ::1/128 -p tcp -m tcp --dport 8081 -m state --state NEW,ESTABLISHED -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 8082 -m state --state NEW,ESTABLISHED -j ACCEPT",
            "-A OUTPUT -s ::1/128 -p tcp -m tcp --sport 8081 -m state --state ESTABLISHED -j ACCEPT",
            "-A OUTPUT -p tcp -m tcp --sport 8082 -m state --state ESTABLISHED -j ACCEPT");

    @TempDir
    static Path tmp;
    static Netns ns;
    static String directory;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Dist.isRoot(), "network namespaces and iptables need root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables")), "iptables (scripts/setup.sh)");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        ns = Netns.create(tmp);
        directory = ns.startPebble();
        ns.feed(V4_BASE, "iptables-restore");
        ns.feed(V6_BASE, "ip6tables-restore");
        Dist.Run reg = lacme(conf("register", s -> { }), List.of("account", "--register", "--tos-agreed"), ns);
        assertEquals(0, reg.exit(), reg.toString());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    /** A configuration tree in its own directory: listen on 127.0.0.1 (port 80), [::1]:8081, [::]:8082. */
    static Path conf(String name, Consumer<Tree.Settings> change) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        if (Files.exists(tmp.resolve("register/account.key"))) {
            Files.copy(tmp.resolve("register/account.key"), dir.resolve("account.key"));
        }
        Tree.Settings s = new Tree.Settings(directory, ns.tlsCa(), 80, null);
        s.webserver.put("listen", "127.0.0.1 [::1]:8081 [::]:8082");
        s.webserver.put("iptables", "Yes");
        s.sections = List.of("ec");
        change.accept(s);
        return Tree.write(dir, s);
    }

    static Dist.Run lacme(Path conf, List<String> args, Netns in) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Dist.lacme().toString(), "--config=" + conf));
        argv.addAll(args);
        return Dist.run(tmp, in.exec(argv), 120);
    }

    /** Runs the master in the namespace until the rules are in, then lets {@code end} finish it. */
    static Dist.Run runSeeingRules(Netns in, Path conf, List<String> args, List<String> during, String sig)
            throws Exception {
        List<String> argv = new ArrayList<>(List.of(Dist.lacme().toString(), "--config=" + conf));
        argv.addAll(args);
        try (MasterRun m = MasterRun.start(tmp, in.exec(argv))) {
            boolean seen = m.await(x -> {
                try {
                    String v4 = in.rules(false);
                    String v6 = in.rules(true);
                    if (V4_OPENED.stream().allMatch(r -> v4.contains(r + "\n"))
                            && V6_OPENED.stream().allMatch(r -> v6.contains(r + "\n"))) {
                        during.add(v4);
                        during.add(v6);
                        return true;
                    }
                    return false;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, 60);
            assertTrue(seen, "all rules seen in place during the run: " + m.stderr());
            if (sig != null) {
                m.signal(sig);
            }
            return m.finish(120);
        }
    }

    static void assertOpened(List<String> during) {
        for (String r : V4_OPENED) {
            assertTrue(during.get(0).contains(r + "\n"), "IPv4 rule " + r + " in\n" + during.get(0));
        }
        for (String r : V6_OPENED) {
            assertTrue(during.get(1).contains(r + "\n"), "IPv6 rule " + r + " in\n" + during.get(1));
        }
        int input = during.get(0).indexOf("-A INPUT -d 127.0.0.1/32");
        int base = during.get(0).indexOf("-A INPUT -m state --state RELATED,ESTABLISHED");
        assertTrue(input < base, "inserted at the top of INPUT");
    }

    @Test
    void issuanceSucceedsThroughTheOpenedPortAndTheRulesAreRestored() throws Exception {
        String v4 = ns.rules(false);
        String v6 = ns.rules(true);
        Path conf = conf("success", s -> { });
        List<String> during = new ArrayList<>();
        Dist.Run r = runSeeingRules(ns, conf, List.of("newOrder"), during, null);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.size(conf.getParent().resolve("ec.crt")) > 0);
        assertOpened(during);
        assertEquals(v4, ns.rules(false), "IPv4 rules restored");
        assertEquals(v6, ns.rules(true), "IPv6 rules restored");
    }

    @Test
    void withoutIptablesTheSameIssuanceIsBlocked() throws Exception {
        String v4 = ns.rules(false);
        Path conf = conf("blocked", s -> {
            s.webserver.put("iptables", "No");
            s.client.put("timeout", "6");
        });
        Dist.Run r = lacme(conf, List.of("newOrder"), ns);
        assertEquals(1, r.exit(), "the firewall drops the CA's validation: " + r);
        assertFalse(Files.exists(conf.getParent().resolve("ec.crt")));
        assertEquals(v4, ns.rules(false));
    }

    @Test
    void rulesAreRestoredAfterSigterm() throws Exception {
        String v4 = ns.rules(false);
        String v6 = ns.rules(true);
        Path conf = conf("sigterm", s -> s.client.put("command", "/bin/sleep 600")); // a client that never answers
        List<String> during = new ArrayList<>();
        Dist.Run r = runSeeingRules(ns, conf, List.of("newOrder"), during, "TERM");
        assertEquals(1, r.exit(), r.toString());
        assertOpened(during);
        assertEquals(v4, ns.rules(false), "IPv4 rules restored after SIGTERM");
        assertEquals(v6, ns.rules(true), "IPv6 rules restored after SIGTERM");
    }

    @Test
    void rulesAreRestoredAfterAFailure() throws Exception {
        String v4 = ns.rules(false);
        String v6 = ns.rules(true);
        // the order fails after the webservers and their rules are up: the CA's port is closed
        Path conf = conf("failure", s -> {
            s.client.put("server", "https://127.0.0.1:1/dir");
            s.client.put("timeout", "5");
        });
        Dist.Run r = lacme(conf, List.of("--debug", "newOrder"), ns);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("Restoring /usr/sbin/iptables") && r.stderr().contains("Restoring /usr/sbin/ip6tables"),
                r.toString());
        assertEquals(v4, ns.rules(false));
        assertEquals(v6, ns.rules(true));
    }

    @Test
    void rulesAreRemovedWhenThereWasNoFilterTable() throws Exception {
        try (Netns bare = Netns.create(tmp)) {
            assertEquals("", bare.rules(false), "nothing to save");
            Path conf = conf("bare", s -> s.client.put("command", "/bin/sleep 600"));
            List<String> during = new ArrayList<>();
            Dist.Run r = runSeeingRules(bare, conf, List.of("newOrder"), during, "TERM");
            assertEquals(1, r.exit(), r.toString());
            for (boolean v6 : new boolean[] {false, true}) {
                String after = bare.rules(v6);
                assertFalse(after.contains("-A "), "no rule left (" + (v6 ? "IPv6" : "IPv4") + "):\n" + after);
                assertFalse(after.contains(" DROP"), after);
            }
        }
    }
}
