package lacme.it.interop;

import lacme.common.json.Json;
import lacme.testkit.Pebble;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static lacme.it.interop.Interop.lines;
import static lacme.it.interop.Interop.read;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading who signed what from the accountd logfiles: ours writes
 * {@code [id] SIGNED url=URL jwk|kid=KID payload=N bytes}, Perl's lacme-accountd 0.8.2
 * {@code [id] SIGNED header=base64url(HEADER-JSON) playload=...} (sic); each format is
 * written by one implementation only, so a log shows which daemon signed.
 */
final class SigningLogs {
    private static final Pattern KID = Pattern.compile("\"kid\":\"([^\"]+)\"");

    private SigningLogs() {
    }

    /** Pebble's ACME directory: the URLs the log lines of a signing accountd must name. */
    record Directory(String newAccount, String newOrder, String origin) {
        static Directory of(Pebble pebble) throws Exception {
            HttpClient http = HttpClient.newBuilder().sslContext(pebble.sslContext()).build();
            String body = http.send(HttpRequest.newBuilder(pebble.directoryUrl()).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Object> dir = Json.parseObject(body);
            return new Directory((String) dir.get("newAccount"), (String) dir.get("newOrder"),
                    pebble.directoryUrl().resolve("/").toString());
        }
    }

    /**
     * Our accountd's logfile shows the whole ACME conversation signed: newAccount with the
     * JWK, newOrder with the account's kid and its identifiers, each signature's kind,
     * nothing refused, and only Pebble's URLs.
     */
    static void checkOurs(Path log, Directory acme) throws Exception {
        String text = read(log);
        List<String> signed = lines(log, "] SIGNED url=");
        assertFalse(signed.isEmpty(), "our accountd signed: " + text);
        assertTrue(lines(log, "SIGNED header=").isEmpty(), "Perl's log format is absent: " + text);
        assertTrue(lines(log, "NOSIGN").isEmpty(), "nothing refused: " + text);
        assertFalse(lines(log, "SIGNED url=" + acme.newAccount() + " jwk ").isEmpty(), text);
        assertFalse(lines(log, "SIGNED url=" + acme.newOrder() + " kid=" + acme.origin()).isEmpty(), text);
        // each signature with its kind (the default policy), a new order with its identifiers
        assertTrue(signed.stream().allMatch(l -> l.contains(" kind=")), text);
        assertTrue(signed.stream().anyMatch(l -> l.contains("SIGNED url=" + acme.newOrder())
                && l.contains(" kind=new-order identifiers=dns:")), text);
        for (String l : signed) {
            assertTrue(l.contains("SIGNED url=" + acme.origin()), "only Pebble's URLs signed: " + l);
        }
    }

    /** Perl's log: what our client asked it to sign, in Perl's format, nothing refused. */
    static void checkPerl(Path log, Directory acme) throws Exception {
        String text = read(log);
        List<String> signed = lines(log, "] SIGNED header=base64url({");
        assertFalse(signed.isEmpty(), "Perl's lacme-accountd signed: " + text);
        assertTrue(lines(log, "NOSIGN").isEmpty(), "nothing refused: " + text);
        assertTrue(signed.stream().anyMatch(l -> has(l, "url", acme.newAccount()) && l.contains("\"jwk\":{")), text);
        assertTrue(signed.stream().anyMatch(l -> has(l, "url", acme.newOrder()) && l.contains("\"kid\":\"")), text);
        assertTrue(signed.stream().allMatch(l -> l.contains("\"alg\":\"RS256\"")), text);
    }

    /** The account URL (kid) our accountd's log shows newOrder was signed for. */
    static String kidFromOurs(Path log, Directory acme) throws IOException {
        String prefix = "SIGNED url=" + acme.newOrder() + " kid=";
        for (String l : lines(log, prefix)) {
            return l.substring(l.indexOf(prefix) + prefix.length()).split(" ")[0];
        }
        throw new AssertionError("no newOrder signed in " + read(log));
    }

    /** The account URL (kid) Perl's lacme-accountd log shows newOrder was signed for. */
    static String kidFromPerl(Path log, Directory acme) throws IOException {
        for (String l : lines(log, "] SIGNED header=base64url({")) {
            Matcher m = KID.matcher(l);
            if (has(l, "url", acme.newOrder()) && m.find()) {
                return m.group(1).replace("\\/", "/");
            }
        }
        throw new AssertionError("no newOrder signed in " + read(log));
    }

    /** A JSON string member in a logged header (with or without escaped slashes). */
    private static boolean has(String line, String member, String value) {
        return line.contains("\"" + member + "\":\"" + value + "\"")
                || line.contains("\"" + member + "\":\"" + value.replace("/", "\\/") + "\"");
    }
}
