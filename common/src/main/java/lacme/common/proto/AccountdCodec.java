package lacme.common.proto;

import lacme.common.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * lacme accountd protocol 1 (docs/protocol/accountd.md), both sides: greeting, signing
 * requests and signatures. Lines are CRLF-terminated and bounded by {@link #MAX_LINE} so a
 * hostile peer cannot make the other side buffer without limit.
 */
public final class AccountdCodec {
    /** The only protocol version lacme 0.8.2 speaks. */
    public static final int VERSION = 1;
    /** Longest line either side accepts, CR LF excluded. */
    public static final int MAX_LINE = 65536;

    private static final Pattern B64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final Pattern GREETING = Pattern.compile("([0-9]+) OK(?: (.*))?");

    private AccountdCodec() {
    }

    /** What the greeting told the client. */
    public record Greeting(int version, Map<String, Object> extra, String jwk) {
        /** The {@code alg} from the greeting, RS256 when absent (lacme's default). */
        public String alg() {
            Object a = extra.get("alg");
            return a instanceof String ? (String) a : "RS256";
        }

        /** The {@code kid} from the greeting, or null. */
        public String kid() {
            Object k = extra.get("kid");
            return k instanceof String && !((String) k).isEmpty() ? (String) k : null;
        }

        /** The {@code jwk-thumbprint} from the greeting, or null (the client computes it). */
        public String thumbprint() {
            Object t = extra.get("jwk-thumbprint");
            return t instanceof String ? (String) t : null;
        }
    }

    /**
     * Reads one CRLF-terminated line of at most {@link #MAX_LINE} bytes.
     *
     * @return the line without CR LF, or null on EOF before the first byte
     * @throws ProtocolException on an overlong line, a bare LF or EOF mid-line
     */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        int c;
        boolean cr = false;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                if (!cr) {
                    throw new ProtocolException("line not terminated by CR LF");
                }
                byte[] b = buf.toByteArray();
                return new String(b, 0, b.length - 1, StandardCharsets.UTF_8);
            }
            cr = c == '\r';
            if (buf.size() > MAX_LINE) {
                throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
            }
            buf.write(c);
        }
        if (buf.size() > 0) {
            throw new ProtocolException("connection closed in the middle of a line");
        }
        return null;
    }

    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Server side: sends the greeting. {@code extraJson} and {@code jwkJson} are one-line JSON. */
    public static void writeGreeting(OutputStream out, String extraJson, String jwkJson) throws IOException {
        if (extraJson.contains("\n") || jwkJson.contains("\n")) {
            throw new IllegalArgumentException("greeting members must be one line");
        }
        out.write((VERSION + " OK " + extraJson + "\r\n" + jwkJson + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Client side: reads and checks the greeting. */
    public static Greeting readGreeting(InputStream in) throws IOException {
        String first = readLine(in);
        if (first == null) {
            throw new ProtocolException("lacme-accountd closed the connection before its greeting");
        }
        var m = GREETING.matcher(first);
        if (!m.matches() || !String.valueOf(VERSION).equals(m.group(1))) {
            throw new ProtocolException("unsupported lacme-accountd greeting (protocol version 1 expected)");
        }
        Map<String, Object> extra = Map.of();
        if (m.group(2) != null) {
            try {
                extra = Json.parseObject(m.group(2));
            } catch (ParseException e) {
                throw new ProtocolException("lacme-accountd greeting has invalid JSON: " + e.getMessage());
            }
        }
        String jwk = readLine(in);
        if (jwk == null) {
            throw new ProtocolException("no JWK from lacme-accountd");
        }
        return new Greeting(VERSION, extra, jwk);
    }

    /** Client side: sends one signing input, returns the base64url signature. */
    public static String sign(InputStream in, OutputStream out, String signingInput) throws IOException {
        int dot = signingInput.indexOf('.');
        if (dot <= 0 || !isBase64Url(signingInput.substring(0, dot)) || !isBase64Url(signingInput.substring(dot + 1))) {
            throw new IllegalArgumentException("not a JWS signing input");
        }
        writeLine(out, signingInput);
        String sig = readLine(in);
        if (sig == null) {
            throw new ProtocolException("lost connection with lacme-accountd (it refused to sign?)");
        }
        if (sig.isEmpty() || !isBase64Url(sig)) {
            throw new ProtocolException("lacme-accountd answered with a malformed signature");
        }
        return sig;
    }

    /** Server side: writes one signature (base64url). */
    public static void writeSignature(OutputStream out, String base64UrlSignature) throws IOException {
        writeLine(out, base64UrlSignature);
    }

    /** True when {@code s} uses only the unpadded base64url alphabet. */
    public static boolean isBase64Url(String s) {
        return B64URL.matcher(s).matches();
    }
}
