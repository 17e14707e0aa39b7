package lacme.webserver;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Accumulates the head of one HTTP/1.x request and decides what to answer, strictly.
 * Only {@code GET}/{@code HEAD} of {@code /.well-known/acme-challenge/<token>} is ever
 * served; everything else is refused as early as the bytes allow (a binary or malformed
 * request line is refused before its end arrives). The buffer grows on demand up to
 * {@link Limits#maxHead()}, so idle connections cost no buffer at all. Not thread-safe:
 * one instance per connection, used by the selector thread only.
 */
final class RequestHead {
    /** The only path prefix served. */
    static final String ROOT = "/.well-known/acme-challenge/";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern VERSION = Pattern.compile("HTTP/[0-9]\\.[0-9]");
    /** Status for "serve the token's file"; the file decides between 200, 403 and 404. */
    static final int SERVE = 0;

    /**
     * What to do with a request. {@code status} is an HTTP status or {@link #SERVE};
     * {@code method} and {@code target} are for the log ("-" when unknown, sanitized).
     */
    record Verdict(int status, String method, String target, String token) {
        boolean isHead() {
            return "HEAD".equals(method);
        }
    }

    private final Limits limits;
    private byte[] buf;
    private int len;
    private boolean lineDone;

    RequestHead(Limits limits) {
        this.limits = limits;
    }

    /** How many more bytes may be offered. */
    int room() {
        return limits.maxHead() - len;
    }

    /**
     * Appends what {@code src} holds (at most {@link #room()} bytes) and returns the
     * verdict once it is known, or null while more bytes are needed. Full parses happen
     * only when a line completes (at most {@link Limits#maxHeaderLines()} + 2 times, as
     * more lines get 431), so trickled bytes cost O(1) each; parsing at every line, not
     * only at the end of the head, refuses a malformed field line as soon as it arrives
     * whichever way the bytes were split (found by RequestHeadFuzzTest).
     */
    Verdict offer(ByteBuffer src) {
        int n = Math.min(src.remaining(), room());
        if (buf == null || buf.length < len + n) {
            int cap = Math.max(512, buf == null ? 0 : buf.length);
            while (cap < len + n) {
                cap *= 2;
            }
            byte[] b = new byte[Math.min(cap, limits.maxHead())];
            if (buf != null) {
                System.arraycopy(buf, 0, b, 0, len);
            }
            buf = b;
        }
        int from = len;
        src.get(buf, len, n);
        len += n;
        boolean parse = len == limits.maxHead();
        for (int i = from; i < len && !parse; i++) {
            int c = buf[i] & 0xff;
            if (!lineDone) {
                if (c == '\n') {
                    lineDone = true;
                    parse = true;
                } else if (c != '\r' && (c < 0x20 || c >= 0x7f)) {
                    parse = true; // binary on the request line: refuse now
                }
            } else if (c == '\n') {
                parse = true; // a field line (refused at once if malformed) or the end of the head
            }
        }
        return parse ? parse() : null;
    }

    /** Parses what has been received; null when the head is not complete yet. */
    Verdict parse() {
        int eol = indexOf('\n', 0);
        for (int i = 0; i < (eol < 0 ? len : eol); i++) {
            int c = buf[i] & 0xff;
            boolean crlf = c == '\r' && i == eol - 1;
            if (!crlf && (c < 0x20 || c >= 0x7f)) {
                return new Verdict(400, "-", "-", null);
            }
        }
        if (eol < 0) {
            return len >= limits.maxHead() ? new Verdict(414, "-", "-", null) : null;
        }
        if (eol == 0 || buf[eol - 1] != '\r') {
            return new Verdict(400, "-", "-", null);
        }
        String line = new String(buf, 0, eol - 1, StandardCharsets.US_ASCII);
        String[] p = line.split(" ", -1);
        if (p.length != 3 || !isToken(p[0]) || p[1].isEmpty()) {
            return new Verdict(400, "-", clip(line), null);
        }
        String method = clip(p[0]);
        String target = clip(p[1]);
        if (!p[2].equals("HTTP/1.0") && !p[2].equals("HTTP/1.1")) {
            return new Verdict(VERSION.matcher(p[2]).matches() ? 505 : 400, method, target, null);
        }
        if (!p[0].equals("GET") && !p[0].equals("HEAD")) {
            return new Verdict(405, method, target, null);
        }
        int hosts = 0;
        int lines = 0;
        for (int start = eol + 1;;) {
            int end = indexOf('\n', start);
            if (end < 0) {
                return len >= limits.maxHead() ? new Verdict(431, method, target, null) : null;
            }
            if (end == start || buf[end - 1] != '\r') {
                return new Verdict(400, method, target, null); // bare LF
            }
            if (end == start + 1) {
                break; // CRLF alone: end of the head
            }
            if (++lines > limits.maxHeaderLines()) {
                return new Verdict(431, method, target, null);
            }
            int colon = fieldName(start, end - 1);
            if (colon < 0) {
                return new Verdict(400, method, target, null);
            }
            if (colon - start == 4 && new String(buf, start, 4, StandardCharsets.US_ASCII)
                    .equalsIgnoreCase("host")) {
                hosts++;
            }
            start = end + 1;
        }
        if (hosts > 1 || (hosts == 0 && p[2].equals("HTTP/1.1"))) {
            return new Verdict(400, method, target, null); // RFC 9112, section 3.2
        }
        if (p[1].startsWith(ROOT)) {
            String token = p[1].substring(ROOT.length());
            if (TOKEN.matcher(token).matches()) {
                return new Verdict(SERVE, method, target, token);
            }
        }
        return new Verdict(403, method, target, null);
    }

    /** Validates one field line [start, end) and returns its colon's index, or -1. */
    private int fieldName(int start, int end) {
        int i = start;
        while (i < end && isTchar(buf[i] & 0xff)) {
            i++;
        }
        if (i == start || i == end || buf[i] != ':') {
            return -1; // empty name, obs-fold, or whitespace before the colon
        }
        for (int j = i + 1; j < end; j++) {
            int c = buf[j] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return -1;
            }
        }
        return i;
    }

    private int indexOf(int b, int from) {
        for (int i = from; i < len; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isToken(String s) {
        return !s.isEmpty() && s.chars().allMatch(RequestHead::isTchar);
    }

    private static boolean isTchar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /** Shortens a client-supplied string for the log (it is printable ASCII already). */
    static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
