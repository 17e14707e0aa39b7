package lacme.accountd;

import lacme.common.json.Json;
import lacme.common.proto.AccountdCodec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.Map;

/**
 * Decides whether a request line is something accountd may sign: a JWS signing input
 * (RFC 7515 section 5.1) whose protected header is an ACME one (RFC 8555 section 6.2) for
 * this key's algorithm, exactly as docs/protocol/accountd.md states. This is what keeps
 * accountd from being a signing oracle for arbitrary data, so it is strict: canonical
 * unpadded base64url, strict UTF-8, strict JSON with no duplicate members, string
 * {@code alg}/{@code nonce}/{@code url}, and exactly one of {@code jwk} (an object) and
 * {@code kid} (a string). Stateless and thread-safe.
 */
public final class SigningPolicy {
    private final String alg;

    /** @param alg the account key's JWS algorithm; requests for any other are refused */
    public SigningPolicy(String alg) {
        this.alg = alg;
    }

    /** A refused request; the message is the {@code NOSIGN [reason]} reason. */
    public static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String reason) {
            super(reason, null, false, false);
        }
    }

    /** An accepted request: the bytes to sign and what the log says about them. */
    public record Request(byte[] signingInput, String url, String nonce, String kid, int payloadLength) {
    }

    /** Checks one request line (without CR LF). */
    public Request check(String line) throws Refusal {
        if (line.length() > AccountdCodec.MAX_LINE) {
            throw new Refusal("line longer than " + AccountdCodec.MAX_LINE + " bytes");
        }
        int dot = line.indexOf('.');
        String h = dot < 0 ? line : line.substring(0, dot);
        if (h.isEmpty() || !AccountdCodec.isBase64Url(h)) {
            throw new Refusal("malformed JWS Protected Header");
        }
        byte[] header = decode(h, "malformed JWS Protected Header");
        if (dot < 0) {
            throw new Refusal("malformed JWS signing input: no payload part");
        }
        String p = line.substring(dot + 1);
        if (!AccountdCodec.isBase64Url(p)) {
            throw new Refusal("malformed JWS Payload");
        }
        int payloadLength = decode(p, "malformed JWS Payload").length;

        Map<String, Object> hdr;
        try {
            String json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
            hdr = Json.parseObject(json);
        } catch (CharacterCodingException e) {
            throw new Refusal("invalid JWS Protected Header: not UTF-8");
        } catch (ParseException e) {
            throw new Refusal("invalid JWS Protected Header: not a JSON object");
        }
        String a = string(hdr, "alg");
        if (!alg.equals(a)) {
            throw new Refusal("invalid JWS Protected Header: alg " + AccountLog.printable(a)
                    + " is not the account key's " + alg);
        }
        String nonce = string(hdr, "nonce");
        String url = string(hdr, "url");
        boolean hasJwk = hdr.containsKey("jwk");
        boolean hasKid = hdr.containsKey("kid");
        if (hasJwk == hasKid) {
            throw new Refusal("invalid JWS Protected Header: " + (hasJwk ? "both jwk and kid" : "neither jwk nor kid"));
        }
        String kid = null;
        if (hasJwk && !(hdr.get("jwk") instanceof Map)) {
            throw new Refusal("invalid JWS Protected Header: jwk is not an object");
        }
        if (hasKid) {
            kid = string(hdr, "kid");
        }
        return new Request(line.getBytes(StandardCharsets.US_ASCII), url, nonce, kid, payloadLength);
    }

    private static String string(Map<String, Object> hdr, String member) throws Refusal {
        Object v = hdr.get(member);
        if (v == null) {
            throw new Refusal("invalid JWS Protected Header: " + (hdr.containsKey(member) ? member
                    + " is not a string" : "missing " + member));
        }
        if (!(v instanceof String)) {
            throw new Refusal("invalid JWS Protected Header: " + member + " is not a string");
        }
        return (String) v;
    }

    /** Decodes unpadded base64url, refusing non-canonical encodings (stray trailing bits). */
    private static byte[] decode(String s, String reason) throws Refusal {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new Refusal(reason);
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(b).equals(s)) {
            throw new Refusal(reason);
        }
        return b;
    }
}
