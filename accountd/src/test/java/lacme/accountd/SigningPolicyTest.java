package lacme.accountd;

import lacme.common.proto.AccountdCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every way a request line can be refused, and what is accepted. */
class SigningPolicyTest {
    private final SigningPolicy rs256 = new SigningPolicy("RS256");

    static String b64(String s) {
        return b64(s.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static final String GOOD_KID = "{\"alg\":\"RS256\",\"nonce\":\"abc\",\"url\":\"https://ca/acme/order\",\"kid\":\"https://ca/acct/1\"}";
    static final String GOOD_JWK = "{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\",\"n\":\"x\",\"e\":\"AQAB\"},"
            + "\"nonce\":\"abc\",\"url\":\"https://ca/acme/new-acct\"}";

    @Test
    void acceptsAcmeRequests() throws Exception {
        String line = b64(GOOD_KID) + "." + b64("{\"csr\":\"x\"}");
        SigningPolicy.Request r = rs256.check(line);
        assertArrayEquals(line.getBytes(StandardCharsets.US_ASCII), r.signingInput());
        assertEquals("https://ca/acme/order", r.url());
        assertEquals("abc", r.nonce());
        assertEquals("https://ca/acct/1", r.kid());
        assertEquals(11, r.payloadLength());
        SigningPolicy.Request postAsGet = rs256.check(b64(GOOD_KID) + ".");
        assertEquals(0, postAsGet.payloadLength());
        SigningPolicy.Request jwk = rs256.check(b64(GOOD_JWK) + "." + b64("{}"));
        assertNull(jwk.kid());
        assertEquals("https://ca/acme/new-acct", jwk.url());
        new SigningPolicy("ES256").check(b64(GOOD_KID.replace("RS256", "ES256")) + ".");
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> refusals() {
        String hdr = b64(GOOD_KID);
        String tooLong = hdr + "." + "A".repeat(AccountdCodec.MAX_LINE - hdr.length());
        return Stream.of(
            arguments("empty line", "", "malformed JWS Protected Header"),
            arguments("empty header", "." + b64("{}"), "malformed JWS Protected Header"),
            arguments("padding in header", b64("{\"a\":1}") + "==." , "malformed JWS Protected Header"),
            arguments("standard base64 alphabet", "ab+/." , "malformed JWS Protected Header"),
            arguments("space", hdr.substring(0, 4) + " " + hdr.substring(4) + ".", "malformed JWS Protected Header"),
            arguments("impossible length", "abcde.", "malformed JWS Protected Header"),
            arguments("non-canonical trailing bits", "eB.", "malformed JWS Protected Header"),
            arguments("no payload part", hdr, "malformed JWS signing input: no payload part"),
            arguments("three parts (a JWS, not a signing input)", hdr + ".e30.sig", "malformed JWS Payload"),
            arguments("bad payload alphabet", hdr + ".e30=", "malformed JWS Payload"),
            arguments("non-canonical payload", hdr + ".eB", "malformed JWS Payload"),
            arguments("too long", tooLong, "line longer than 65536 bytes"),
            arguments("not UTF-8", b64(new byte[] {'{', (byte) 0xff, '}'}) + ".", "invalid JWS Protected Header: not UTF-8"),
            arguments("not JSON", b64("alg=RS256") + ".", "invalid JWS Protected Header: not a JSON object"),
            arguments("JSON array", b64("[1,2]") + ".", "invalid JWS Protected Header: not a JSON object"),
            arguments("JSON string", b64("\"x\"") + ".", "invalid JWS Protected Header: not a JSON object"),
            arguments("trailing garbage", b64(GOOD_KID + "x") + ".", "invalid JWS Protected Header: not a JSON object"),
            arguments("duplicate member", b64(GOOD_KID.replace("{", "{\"alg\":\"none\",")) + ".",
                    "invalid JWS Protected Header: not a JSON object"),
            arguments("missing alg", b64(GOOD_KID.replace("\"alg\":\"RS256\",", "")) + ".",
                    "invalid JWS Protected Header: missing alg"),
            arguments("alg not a string", b64(GOOD_KID.replace("\"RS256\"", "256")) + ".",
                    "invalid JWS Protected Header: alg is not a string"),
            arguments("alg null", b64(GOOD_KID.replace("\"RS256\"", "null")) + ".",
                    "invalid JWS Protected Header: alg is not a string"),
            arguments("other alg", b64(GOOD_KID.replace("RS256", "ES256")) + ".",
                    "invalid JWS Protected Header: alg ES256 is not the account key's RS256"),
            arguments("alg none", b64(GOOD_KID.replace("RS256", "none")) + ".",
                    "invalid JWS Protected Header: alg none is not the account key's RS256"),
            arguments("HMAC alg", b64(GOOD_KID.replace("RS256", "HS256")) + ".",
                    "invalid JWS Protected Header: alg HS256 is not the account key's RS256"),
            arguments("missing nonce", b64(GOOD_KID.replace("\"nonce\":\"abc\",", "")) + ".",
                    "invalid JWS Protected Header: missing nonce"),
            arguments("nonce not a string", b64(GOOD_KID.replace("\"abc\"", "123")) + ".",
                    "invalid JWS Protected Header: nonce is not a string"),
            arguments("missing url", b64(GOOD_KID.replace("\"url\":\"https://ca/acme/order\",", "")) + ".",
                    "invalid JWS Protected Header: missing url"),
            arguments("url not a string", b64(GOOD_KID.replace("\"https://ca/acme/order\"", "[\"u\"]")) + ".",
                    "invalid JWS Protected Header: url is not a string"),
            arguments("neither jwk nor kid", b64(GOOD_KID.replace(",\"kid\":\"https://ca/acct/1\"", "")) + ".",
                    "invalid JWS Protected Header: neither jwk nor kid"),
            arguments("both jwk and kid", b64(GOOD_JWK.replace("{\"alg\"", "{\"kid\":\"k\",\"alg\"")) + ".",
                    "invalid JWS Protected Header: both jwk and kid"),
            arguments("jwk not an object", b64(GOOD_JWK.replace("{\"kty\":\"RSA\",\"n\":\"x\",\"e\":\"AQAB\"}", "\"k\"")) + ".",
                    "invalid JWS Protected Header: jwk is not an object"),
            arguments("kid not a string", b64(GOOD_KID.replace("\"https://ca/acct/1\"", "1")) + ".",
                    "invalid JWS Protected Header: kid is not a string"),
            arguments("kid null", b64(GOOD_KID.replace("\"https://ca/acct/1\"", "null")) + ".",
                    "invalid JWS Protected Header: kid is not a string"),
            arguments("control characters are not logged raw", b64(GOOD_KID.replace("RS256", "RS\\n256")) + ".",
                    "invalid JWS Protected Header: alg RS\\x0a256 is not the account key's RS256"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refuses(String what, String line, String reason) {
        SigningPolicy.Refusal r = assertThrows(SigningPolicy.Refusal.class, () -> rs256.check(line));
        assertEquals(reason, r.getMessage());
    }

    /**
     * Found while fuzzing Session: the refusal (logged as NOSIGN) escaped only C0 controls, so a
     * peer's C1 CSI (U+009B, like ESC [) or a bidi override reached the log and the terminal.
     */
    @Test
    void refusalEscapesC1ControlsAndBidiOverrides() {
        String hdr = "{\"alg\":\"x\u009b31m\u202e\u2028\\u0007\",\"nonce\":\"n\",\"url\":\"u\",\"kid\":\"k\"}";
        SigningPolicy.Refusal r = assertThrows(SigningPolicy.Refusal.class,
                () -> new SigningPolicy("RS256").check(b64(hdr) + "." + b64("{}")));
        assertEquals("invalid JWS Protected Header: alg x\\x9b31m\\u202e\\u2028\\x07 is not the account key's RS256",
                r.getMessage());
    }
}
