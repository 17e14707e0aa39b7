package lacme.common.acme;

import lacme.common.json.Json;
import lacme.common.proto.AccountdCodec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an ACME request (a JWS signing input, RFC 7515 section 5.1) asks the CA to do, decided
 * from its protected header and payload alone. lacme-accountd uses it to check what it signs,
 * and the client to name what accountd refused, so both read a request the same way.
 *
 * <p>Why the payload and not the URL: accountd does not know the CA's directory, so a URL
 * says nothing about which resource it is (and a compromised client chooses it). Each ACME
 * operation that changes something has a payload of its own shape (RFC 8555 section 7), so
 * the shape is what is classified, and it is classified strictly: a payload that mixes the
 * members of two operations, or has members no operation has, is not an ACME request. A
 * status change (only {@code "deactivated"} exists) is a deactivation wherever it is sent
 * (account or authorization). The URL matters only through a pinned origin (the policy's).
 */
public record AcmeRequest(Kind kind, String alg, String url, String nonce, String kid, List<Identifier> identifiers,
        int payloadLength) {
    /** The operations a request can be. */
    public enum Kind {
        NEW_ACCOUNT("new-account", "a new account (or account lookup)"),
        NEW_ORDER("new-order", "a new order"),
        CHALLENGE("challenge", "a challenge answer"),
        FINALIZE("finalize", "an order finalization"),
        POST_AS_GET("post-as-get", "a POST-as-GET"),
        REVOCATION("revocation", "a certificate revocation"),
        ACCOUNT_UPDATE("account-update", "an account update"),
        DEACTIVATION("deactivation", "a deactivation"),
        KEY_CHANGE("key-change", "an account key change");

        private final String label;
        private final String phrase;

        Kind(String label, String phrase) {
            this.label = label;
            this.phrase = phrase;
        }

        /** The name used in logs, options and configuration ({@code key-change}). */
        public String label() {
            return label;
        }

        /** A noun phrase for error messages ("an account key change"). */
        public String phrase() {
            return phrase;
        }
    }

    /** One identifier of a new order. */
    public record Identifier(String type, String value) {
        @Override
        public String toString() {
            return type + ":" + value;
        }
    }

    /** A request that is not a well-formed ACME request; the message says why. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final Set<String> ACCOUNT = Set.of("contact", "termsOfServiceAgreed", "onlyReturnExisting",
            "externalAccountBinding");
    private static final Set<String> ORDER = Set.of("identifiers", "notBefore", "notAfter", "replaces", "profile");
    private static final Set<String> REVOKE = Set.of("certificate", "reason");
    private static final Set<String> JWS = Set.of("protected", "payload", "signature");

    /** {@code kid}-less requests (signed with the JWK) of these kinds only: RFC 8555 section 6.2. */
    private static final Set<Kind> JWK_KINDS = Set.of(Kind.NEW_ACCOUNT, Kind.REVOCATION, Kind.DEACTIVATION);

    /** Parses and classifies a signing input (without CR LF). */
    public static AcmeRequest parse(String line) throws MalformedException {
        if (line.length() > AccountdCodec.MAX_LINE) {
            throw new MalformedException("line longer than " + AccountdCodec.MAX_LINE + " bytes");
        }
        int dot = line.indexOf('.');
        String h = dot < 0 ? line : line.substring(0, dot);
        if (h.isEmpty() || !AccountdCodec.isBase64Url(h)) {
            throw new MalformedException("malformed JWS Protected Header");
        }
        byte[] header = decode(h, "malformed JWS Protected Header");
        if (dot < 0) {
            throw new MalformedException("malformed JWS signing input: no payload part");
        }
        String p = line.substring(dot + 1);
        if (!AccountdCodec.isBase64Url(p)) {
            throw new MalformedException("malformed JWS Payload");
        }
        byte[] payload = decode(p, "malformed JWS Payload");
        Map<String, Object> hdr = object(header, "JWS Protected Header");
        String alg = string(hdr, "alg");
        String nonce = string(hdr, "nonce");
        String url = string(hdr, "url");
        boolean hasJwk = hdr.containsKey("jwk");
        boolean hasKid = hdr.containsKey("kid");
        if (hasJwk == hasKid) {
            throw new MalformedException("invalid JWS Protected Header: "
                    + (hasJwk ? "both jwk and kid" : "neither jwk nor kid"));
        }
        if (hasJwk && !(hdr.get("jwk") instanceof Map)) {
            throw new MalformedException("invalid JWS Protected Header: jwk is not an object");
        }
        String kid = hasKid ? string(hdr, "kid") : null;
        List<Identifier> ids = List.of();
        Kind kind;
        if (payload.length == 0) {
            kind = Kind.POST_AS_GET;
        } else {
            Map<String, Object> pl = object(payload, "JWS Payload");
            kind = classify(pl, kid == null);
            if (kind == Kind.NEW_ORDER) {
                ids = identifiers(pl.get("identifiers"));
            }
        }
        if (kid == null && !JWK_KINDS.contains(kind)) {
            throw new MalformedException(kind.label() + " request signed with jwk instead of kid");
        }
        return new AcmeRequest(kind, alg, url, nonce, kid, ids, payload.length);
    }

    private static Kind classify(Map<String, Object> pl, boolean jwk) throws MalformedException {
        Set<String> members = pl.keySet();
        if (members.isEmpty()) {
            return jwk ? Kind.NEW_ACCOUNT : Kind.CHALLENGE;
        }
        if (members.contains("protected") || members.contains("signature")) {
            return only(Kind.KEY_CHANGE, members, JWS);
        }
        if (members.contains("identifiers")) {
            return only(Kind.NEW_ORDER, members, ORDER);
        }
        if (members.contains("csr")) {
            return only(Kind.FINALIZE, members, Set.of("csr"));
        }
        if (members.contains("certificate")) {
            return only(Kind.REVOCATION, members, REVOKE);
        }
        if (members.contains("status")) {
            if (!"deactivated".equals(pl.get("status"))) {
                throw new MalformedException("unknown status change in the JWS Payload");
            }
            // lacme 0.8.2 sends the account members along with the status
            return only(Kind.DEACTIVATION, members, union(ACCOUNT, Set.of("status")));
        }
        for (String m : members) {
            if (ACCOUNT.contains(m)) {
                return only(jwk ? Kind.NEW_ACCOUNT : Kind.ACCOUNT_UPDATE, members, ACCOUNT);
            }
        }
        throw new MalformedException("unrecognised ACME request: JWS Payload members " + new TreeSet<>(members));
    }

    private static Kind only(Kind kind, Set<String> members, Set<String> allowed) throws MalformedException {
        Set<String> extra = new TreeSet<>(members);
        extra.removeAll(allowed);
        if (!extra.isEmpty()) {
            throw new MalformedException("unexpected member(s) " + extra + " in " + kind.phrase() + " payload");
        }
        return kind;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static List<Identifier> identifiers(Object v) throws MalformedException {
        if (!(v instanceof List) || ((List<?>) v).isEmpty()) {
            throw new MalformedException("invalid new-order payload: identifiers is not a non-empty array");
        }
        List<Identifier> out = new ArrayList<>();
        for (Object o : (List<?>) v) {
            if (!(o instanceof Map) || ((Map<?, ?>) o).size() != 2 || !(((Map<?, ?>) o).get("type") instanceof String)
                    || !(((Map<?, ?>) o).get("value") instanceof String)) {
                throw new MalformedException("invalid new-order payload: an identifier is not {type, value}");
            }
            out.add(new Identifier((String) ((Map<?, ?>) o).get("type"), (String) ((Map<?, ?>) o).get("value")));
        }
        return List.copyOf(out);
    }

    private static Map<String, Object> object(byte[] b, String what) throws MalformedException {
        try {
            String json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
            return Json.parseObject(json);
        } catch (CharacterCodingException e) {
            throw new MalformedException("invalid " + what + ": not UTF-8");
        } catch (ParseException e) {
            throw new MalformedException("invalid " + what + ": not a JSON object");
        }
    }

    private static String string(Map<String, Object> hdr, String member) throws MalformedException {
        Object v = hdr.get(member);
        if (!(v instanceof String)) {
            throw new MalformedException("invalid JWS Protected Header: " + (hdr.containsKey(member) ? member
                    + " is not a string" : "missing " + member));
        }
        return (String) v;
    }

    /** Decodes unpadded base64url, refusing non-canonical encodings (stray trailing bits). */
    private static byte[] decode(String s, String reason) throws MalformedException {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(reason);
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(b).equals(s)) {
            throw new MalformedException(reason);
        }
        return b;
    }

    /** One line for logs and errors: the kind, and a new order's identifiers (raw: callers sanitise). */
    public String summary() {
        return kind.label() + (identifiers.isEmpty() ? "" : " identifiers=" + String.join(",",
                identifiers.stream().map(Identifier::toString).toList()));
    }
}
