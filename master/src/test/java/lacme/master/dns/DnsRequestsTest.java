package lacme.master.dns;

import lacme.common.proto.Control.DnsAction;
import lacme.common.proto.Control.DnsAnswer;
import lacme.common.proto.Control.DnsRequest;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.OrderResult;
import lacme.common.proto.Control.Result;
import lacme.master.Cleanup;
import lacme.master.Fatal;
import lacme.master.csr.Identifiers.Name;
import lacme.master.spawn.Spawner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The master's handler of the client's dns-01 requests, with the real hook runner and a real
 * script: the section's own names only (a wildcard mapped to its base), digests only, a
 * refusal failing the order with the master's line, removals on request and when the order
 * ends, and a client that asks for orders that are not pending or asks too often stopped.
 */
class DnsRequestsTest {
    private static final Logger LOG = LoggerFactory.getLogger("test");
    private static final String V1 = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
    private static final String V2 = "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
    private static final String V3 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbA";

    @TempDir
    Path tmp;
    final Cleanup cleanup = new Cleanup(LOG);
    DnsRequests dns;
    int next;

    @BeforeEach
    void setUp() {
        dns = new DnsRequests(new Spawner(cleanup, LOG), cleanup, LOG);
    }

    @AfterEach
    void tearDown() {
        cleanup.runAll();
    }

    /** A section whose hook appends "uid action name value" to a log, then behaves as {@code tail}. */
    private Map<String, String> section(String tail) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path script = tmp.resolve("hook");
        Files.writeString(script, "#!/bin/sh\necho \"$(id -u) $1 $2 $3\" >> " + tmp.resolve("log") + "\n" + tail + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Map.of("challenge", "dns-01", "dns-hook", script.toString(), "dns-hook-timeout", "20");
    }

    private List<String> log() throws Exception {
        Path p = tmp.resolve("log");
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }

    private DnsAnswer ask(Id order, DnsAction a, String name, String value) throws Fatal {
        return dns.answer(new DnsRequest(Id.of("d" + ++next), order, a, name, value));
    }

    private static final Result OK = new OrderResult(Id.of("1"), "chain", List.of());

    @Test
    void aWildcardAndItsBaseShareOneNameAndEveryRecordIsRemovedWhenTheOrderEnds() throws Exception {
        Id order = Id.of("1");
        dns.register(order, "wild", List.of(new Name("dns", "*.example.test"), new Name("dns", "example.test")),
                section("exit 0"));
        assertTrue(ask(order, DnsAction.ADD, "_acme-challenge.example.test", V1).done());
        assertTrue(ask(order, DnsAction.ADD, "_acme-challenge.example.test", V2).done());
        DnsAnswer third = ask(order, DnsAction.ADD, "_acme-challenge.example.test", V3);
        assertEquals("[wild] refused DNS record '_acme-challenge.example.test': more records than the section has"
                + " DNS identifiers", third.error());
        assertTrue(ask(order, DnsAction.REMOVE, "_acme-challenge.example.test", V1).done());
        assertEquals(3, log().size(), log().toString());
        assertTrue(log().get(0).endsWith(" add _acme-challenge.example.test " + V1), log().toString());
        assertFalse(log().get(0).startsWith("0 "), "the hook never runs as root: " + log());
        assertTrue(log().get(2).endsWith(" remove _acme-challenge.example.test " + V1), log().toString());
        Result r = dns.finished(OK); // the client carried on after the refusal: the master fails the order all the same
        assertEquals(new Failure(order, "refused DNS record '_acme-challenge.example.test': more records than the"
                + " section has DNS identifiers"), r);
        assertEquals(4, log().size(), log().toString());
        assertTrue(log().get(3).endsWith(" remove _acme-challenge.example.test " + V2), log().toString());
        cleanup.runAll();
        assertEquals(4, log().size(), "each record removed once: " + log());
    }

    @Test
    void namesOutsideTheSectionAndMalformedValuesAreRefusedWithoutRunningTheHook() throws Exception {
        List<String[]> bad = List.of(new String[] {"_acme-challenge.victim.example", V1},
                new String[] {"_acme-challenge.www.example.test", "$(touch /tmp/pwned)"},
                new String[] {"_acme-challenge.www.example.test", V1 + "="},
                new String[] {"_acme-challenge.*.www.example.test", V1});
        List<String> errors = new ArrayList<>();
        for (String[] b : bad) {
            dns = new DnsRequests(new Spawner(cleanup, LOG), cleanup, LOG);
            Id order = Id.of("7");
            dns.register(order, "www", List.of(new Name("dns", "www.example.test")), section("exit 0"));
            DnsAnswer a = ask(order, DnsAction.ADD, b[0], b[1]);
            assertFalse(a.done());
            assertTrue(a.error().startsWith("[www] refused "), a.error());
            Result r = dns.finished(new Failure(order, "the client's own words"));
            errors.add(((Failure) r).error());
        }
        assertTrue(errors.get(0).startsWith("refused DNS record '_acme-challenge.victim.example'"), errors.toString());
        assertTrue(errors.get(1).startsWith("refused TXT value '$(touch /tmp/pwned)'"), errors.toString());
        assertEquals(List.of(), log(), "the hook never ran");
    }

    @Test
    void aFailingHookFailsTheOrderNamingTheSectionAndItsRecordIsRemovedAtOnce() throws Exception {
        Id order = Id.of("2");
        dns.register(order, "www", List.of(new Name("dns", "www.example.test")),
                section("[ \"$1\" = add ] && exit 4; exit 0"));
        DnsAnswer a = ask(order, DnsAction.ADD, "_acme-challenge.www.example.test", V1);
        assertEquals("[www] dns-hook add _acme-challenge.www.example.test failed (exit status 4)", a.error());
        assertTrue(log().get(1).contains(" remove _acme-challenge.www.example.test"), log().toString());
        Result r = dns.finished(new Failure(order, "whatever the client says"));
        assertEquals("dns-hook add _acme-challenge.www.example.test failed (exit status 4)", ((Failure) r).error());
        assertEquals(2, log().size(), log().toString());
    }

    @Test
    void aSectionWithoutDns01IsRefusedAndAnOrderThatIsNotPendingBreaksTheProtocol() throws Exception {
        Id order = Id.of("3");
        dns.register(order, "web", List.of(new Name("dns", "www.example.test")), Map.of());
        DnsAnswer a = ask(order, DnsAction.ADD, "_acme-challenge.www.example.test", V1);
        assertEquals("[web] refused DNS record '_acme-challenge.www.example.test': the section does not list dns-01"
                + " in 'challenge'", a.error());
        Fatal e = assertThrows(Fatal.class, () -> ask(Id.of("4"), DnsAction.ADD, "_acme-challenge.www.example.test",
                V1));
        assertTrue(e.getMessage().startsWith("the client broke the control protocol: dns request for order '4'"),
                e.getMessage());
        assertInstanceOf(Failure.class, dns.finished(new OrderResult(order, "c", List.of())));
        assertThrows(Fatal.class, () -> ask(order, DnsAction.REMOVE, "_acme-challenge.www.example.test", V1),
                "finished: no longer pending");
    }

    @Test
    void aClientThatAsksTooOftenIsStopped() throws Exception {
        Id order = Id.of("5");
        dns.register(order, "www", List.of(new Name("dns", "www.example.test")), section("exit 0"));
        for (int i = 0; i < 4; i++) {
            assertTrue(ask(order, DnsAction.REMOVE, "_acme-challenge.www.example.test", V1).done());
        }
        Fatal e = assertThrows(Fatal.class, () -> ask(order, DnsAction.REMOVE, "_acme-challenge.www.example.test", V1));
        assertTrue(e.getMessage().contains("more dns requests than [www] can need"), e.getMessage());
        assertEquals(List.of(), log());
    }

    @Test
    void aGoodOrderKeepsTheClientsResult() throws Exception {
        Id order = Id.of("1");
        dns.register(order, "www", List.of(new Name("dns", "www.example.test")), section("exit 0"));
        assertTrue(ask(order, DnsAction.ADD, "_acme-challenge.www.example.test", V1).done());
        assertSame(OK, dns.finished(OK));
        assertEquals(2, log().size(), "removed when the answer arrived: " + log());
    }
}
