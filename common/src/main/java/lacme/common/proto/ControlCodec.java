package lacme.common.proto;

import lacme.common.json.Json;
import lacme.common.proto.Control.AccountRequest;
import lacme.common.proto.Control.AccountResult;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Hello;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.Identifier;
import lacme.common.proto.Control.Invalid;
import lacme.common.proto.Control.Kind;
import lacme.common.proto.Control.OrderRequest;
import lacme.common.proto.Control.OrderResult;
import lacme.common.proto.Control.Request;
import lacme.common.proto.Control.Result;
import lacme.common.proto.Control.RevokeRequest;
import lacme.common.proto.Control.RevokeResult;
import lacme.common.text.Sanitize;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The master ⇄ client control channel (docs/protocol/control.md): length-prefixed JSON
 * frames carrying the {@link Control} messages. The one place that knows the member names.
 * The reader enforces {@link #MAX_FRAME} before allocating, so a hostile client cannot make
 * the root master allocate more than that; every frame read is checked for types and
 * ranges, and every string a client sends is {@link Sanitize sanitised} before the master
 * can print it.
 */
public final class ControlCodec {
    /** Largest frame body either side accepts. */
    public static final int MAX_FRAME = 1 << 20;
    /** Room in a result frame for everything but its texts (op, id, ok, member names, array syntax). */
    private static final int RESULT_OVERHEAD = 8192;
    /**
     * The most characters of text (chains, account object) one result may carry. JSON
     * encodes a character in at most 6 bytes ({@code \}{@code uXXXX}), so any result within
     * this budget fits in {@link #MAX_FRAME}: the client's response and chain limits derive
     * from it, and a result can never be too big to send.
     */
    public static final int MAX_TEXT = (MAX_FRAME - RESULT_OVERHEAD) / 6;
    /** Longest request id accepted (the master's are short decimal numbers). */
    public static final int MAX_ID = 64;
    /** Longest one-line string (error, location) the master takes from a client. */
    public static final int MAX_LINE = 1000;

    /** Ops on the wire (tests that speak raw frames use them too). */
    public static final String HELLO = "hello";
    public static final String ACCOUNT = "account";
    public static final String ORDER = "order";
    public static final String REVOKE = "revoke";
    public static final String RESULT = "result";
    public static final String RENEWAL_INFO = "renewal_info";
    public static final String ACCOUNTD = "accountd";

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private ControlCodec() {
    }

    // ---- typed frames -------------------------------------------------------------------

    /** Writes the hello frame (the caller attaches the accountd descriptor to this write). */
    public static void writeHello(OutputStream out, Hello h) throws IOException {
        Map<String, Object> f = frame(HELLO);
        f.put("version", Control.VERSION);
        f.put("server", h.server());
        f.put("timeout", h.timeout());
        f.put("ssl_verify", h.sslVerify());
        putIfSet(f, "ssl_version", h.sslVersion());
        putIfSet(f, "ssl_cipher_list", h.sslCipherList());
        putIfSet(f, "ca_pem", h.caPem());
        f.put("debug", h.debug());
        f.put("max_parallel", h.maxParallel());
        write(out, f);
    }

    /** Reads the first frame, which must be a valid hello; null on EOF before it. */
    public static Hello readHello(InputStream in) throws IOException {
        Map<String, Object> f = read(in);
        return f == null ? null : decodeHello(f);
    }

    /** Checks a hello frame strictly: a wrong type or range is a protocol error, never a default. */
    public static Hello decodeHello(Map<String, Object> f) throws ProtocolException {
        try {
            if (!HELLO.equals(f.get("op"))) {
                throw new ProtocolException("first control frame is '" + Sanitize.line(String.valueOf(f.get("op")),
                        MAX_ID) + "', not '" + HELLO + "'");
            }
            long version = Json.integer(f, "version", -1);
            if (version != Control.VERSION) {
                throw new ProtocolException("unsupported control protocol version " + version + " ("
                        + Control.VERSION + " expected)");
            }
            long timeout = Json.integer(f, "timeout", Control.DEFAULT_TIMEOUT);
            if (timeout < 0) {
                throw new ProtocolException("negative timeout in hello");
            }
            long parallel = Json.integer(f, "max_parallel", Control.DEFAULT_MAX_PARALLEL);
            if (parallel < 1 || parallel > Control.MAX_PARALLEL_LIMIT) {
                throw new ProtocolException("max_parallel " + parallel + " in hello is not 1 … "
                        + Control.MAX_PARALLEL_LIMIT);
            }
            return new Hello(Json.string(f, "server"), timeout, Json.bool(f, "ssl_verify", Control.DEFAULT_SSL_VERIFY),
                    Json.string(f, "ssl_version"), Json.string(f, "ssl_cipher_list"), Json.string(f, "ca_pem"),
                    Json.bool(f, "debug", false), (int) parallel);
        } catch (ParseException e) {
            throw new ProtocolException("malformed hello: " + e.getMessage());
        }
    }

    /** Writes one request (master → client). */
    public static void writeRequest(OutputStream out, Request r) throws IOException {
        Map<String, Object> f;
        if (r instanceof AccountRequest a) {
            f = frame(ACCOUNT);
            f.put("register", a.register());
            f.put("tos_agreed", a.tosAgreed());
            f.put("deactivate", a.deactivate());
            f.put("contacts", a.contacts());
        } else if (r instanceof OrderRequest o) {
            f = frame(ORDER);
            putIfSet(f, "section", o.section());
            List<Map<String, Object>> ids = new ArrayList<>();
            for (Identifier i : o.identifiers()) {
                ids.add(Map.of("type", i.type(), "value", i.value()));
            }
            f.put("identifiers", ids);
            f.put("csr", B64.encodeToString(o.csr()));
            f.put("challenges", o.challenges());
            putIfSet(f, "profile", o.profile());
            putIfSet(f, "replaces", o.replaces());
        } else if (r instanceof Control.RenewalInfoRequest i) {
            f = frame(RENEWAL_INFO);
            RenewalInfoFrames.encodeRequest(f, i);
        } else if (r instanceof Control.AccountdHandover) {
            write(out, frame(ACCOUNTD)); // no id: the caller attaches the descriptor to this write
            return;
        } else if (r instanceof RevokeRequest v) {
            f = frame(REVOKE);
            f.put("certificate", B64.encodeToString(v.certificate()));
            putIfSet(f, "reason", v.reason());
        } else {
            throw new IllegalArgumentException("not a request to send: " + r);
        }
        f.put("id", id(r.id()));
        write(out, f);
    }

    /**
     * Reads the next request (client side); null on EOF at a frame boundary. A request with a
     * usable id but an unknown op or bad members comes back as {@link Invalid}, to be answered.
     *
     * @throws ProtocolException for a framing error, a second hello or a request without a usable id
     */
    public static Request readRequest(InputStream in) throws IOException {
        Map<String, Object> f = read(in);
        return f == null ? null : decodeRequest(f);
    }

    /** {@link #readRequest} for a frame already read (the client also reads {@link ControlDnsCodec} answers). */
    public static Request decodeRequest(Map<String, Object> f) throws ProtocolException {
        String op = (String) f.get("op");
        if (HELLO.equals(op)) {
            throw new ProtocolException("second '" + HELLO + "' on the control channel");
        }
        if (ACCOUNTD.equals(op)) {
            return new Control.AccountdHandover();
        }
        Object raw = f.get("id");
        Id id;
        if (raw instanceof String s && s.length() <= MAX_ID) {
            id = Id.of(s);
        } else if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) < 1e15) {
            id = new Id(Long.toString(n.longValue()), true);
        } else {
            throw new ProtocolException("request '" + Sanitize.line(op, MAX_ID) + "' without a string or number 'id'");
        }
        try {
            switch (op) {
                case ACCOUNT:
                    return new AccountRequest(id, Json.bool(f, "register", false), Json.bool(f, "tos_agreed", false),
                            Json.bool(f, "deactivate", false), Json.strings(f, "contacts"));
                case ORDER:
                    List<Identifier> ids = new ArrayList<>();
                    for (Map<String, Object> i : Json.objects(f, "identifiers")) {
                        ids.add(new Identifier(Json.requireString(i, "type"), Json.requireString(i, "value")));
                    }
                    return new OrderRequest(id, Json.string(f, "section"), ids,
                            base64url(Json.requireString(f, "csr"), "csr"), challengeTypes(f),
                            Json.string(f, "profile"), Json.string(f, "replaces"));
                case REVOKE:
                    Integer reason = null;
                    if (f.get("reason") != null) {
                        long r = Json.integer(f, "reason", 0);
                        if (r < 0 || r > 10) {
                            throw new ParseException("'reason' " + r + " is not a revocation reason code (0 … 10)", 0);
                        }
                        reason = (int) r;
                    }
                    return new RevokeRequest(id, base64url(Json.requireString(f, "certificate"), "certificate"),
                            reason);
                case RENEWAL_INFO:
                    return RenewalInfoFrames.decodeRequest(id, f);
                default:
                    return new Invalid(id, "unknown request '" + Sanitize.line(op, MAX_ID) + "'");
            }
        } catch (ParseException e) {
            return new Invalid(id, "malformed '" + op + "' request: " + e.getMessage());
        }
    }

    /** A challenge type as RFC 8555 registers them; anything else is refused before it is logged. */
    private static final Pattern CHALLENGE_TYPE = Pattern.compile("[a-z0-9-]{1,32}");

    /** An order's optional {@code challenges}: absent or null means {@link Control#DEFAULT_CHALLENGES}. */
    private static List<String> challengeTypes(Map<String, Object> f) throws ParseException {
        if (f.get("challenges") == null) {
            return Control.DEFAULT_CHALLENGES;
        }
        List<String> types = Json.strings(f, "challenges");
        if (types.isEmpty() || types.size() > 8) {
            throw new ParseException("'challenges' must list 1 to 8 challenge types", 0);
        }
        for (String t : types) {
            if (!CHALLENGE_TYPE.matcher(t).matches()) {
                throw new ParseException("'challenges' has a malformed type '" + Sanitize.line(t, MAX_ID) + "'", 0);
            }
        }
        return types;
    }

    /**
     * Writes one result (client → master). A result that does not fit in a frame is replaced
     * by a {@link Failure} for the same request naming the reason, so the master is never left
     * waiting for an answer that could not be sent.
     *
     * @return the result actually sent
     */
    public static Result writeResult(OutputStream out, Result r) throws IOException {
        Map<String, Object> f = encodeResult(r);
        byte[] body = Json.write(f).getBytes(StandardCharsets.UTF_8);
        if (body.length > MAX_FRAME) {
            r = new Failure(r.id(), "the result (" + body.length + " bytes) exceeds the control frame limit of "
                    + MAX_FRAME + " bytes");
            body = Json.write(encodeResult(r)).getBytes(StandardCharsets.UTF_8);
        }
        writeBody(out, body);
        return r;
    }

    private static Map<String, Object> encodeResult(Result r) {
        Map<String, Object> f = frame(RESULT);
        f.put("id", id(r.id()));
        f.put("ok", !(r instanceof Failure));
        if (r instanceof Failure x) {
            f.put("error", x.error());
        } else if (r instanceof AccountResult a) {
            f.put("account", a.account());
            putIfSet(f, "location", a.location());
        } else if (r instanceof OrderResult o) {
            f.put("chain", o.chain());
            f.put("alternates", o.alternates());
        } else if (r instanceof Control.RenewalInfoResult i) {
            RenewalInfoFrames.encodeResult(f, i);
        }
        return f;
    }

    /**
     * Reads the next result (master side) and checks it answers one of {@code pending} (id →
     * the kind of request sent) with that kind's members. Every string but the chains (which
     * the master parses as certificates and never prints) is {@link Sanitize sanitised}.
     *
     * @return the result, or null on EOF at a frame boundary
     * @throws ProtocolException for anything else than a well-formed answer to a pending request
     */
    public static Result readResult(InputStream in, Map<String, Kind> pending) throws IOException {
        Map<String, Object> f = read(in);
        return f == null ? null : decodeResult(f, pending);
    }

    /** {@link #readResult} for a frame already read (the master also reads {@link ControlDnsCodec} requests). */
    public static Result decodeResult(Map<String, Object> f, Map<String, Kind> pending) throws ProtocolException {
        if (!RESULT.equals(f.get("op")) || !(f.get("id") instanceof String s) || !pending.containsKey(s)) {
            throw new ProtocolException("unexpected frame (not the answer to a pending request)");
        }
        Id id = Id.of(s);
        try {
            Object ok = f.get("ok");
            if (!(ok instanceof Boolean)) {
                throw new ParseException("member 'ok' is not a boolean", 0);
            }
            if (!(Boolean) ok) {
                String e = Json.string(f, "error");
                return new Failure(id, e == null || e.isBlank() ? "the client gave no reason" : Sanitize.line(e, MAX_LINE));
            }
            switch (pending.get(s)) {
                case ACCOUNT:
                    return new AccountResult(id, Sanitize.line(Json.requireString(f, "account"), MAX_TEXT),
                            Sanitize.line(Json.string(f, "location"), MAX_LINE));
                case ORDER:
                    return new OrderResult(id, Json.requireString(f, "chain"), Json.strings(f, "alternates"));
                case RENEWAL_INFO:
                    return RenewalInfoFrames.decodeResult(id, f);
                default:
                    return new RevokeResult(id);
            }
        } catch (ParseException e) {
            throw new ProtocolException("malformed answer to request " + s + ": " + e.getMessage());
        }
    }

    private static Map<String, Object> frame(String op) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("op", op);
        return f;
    }

    private static void putIfSet(Map<String, Object> f, String key, Object value) {
        if (value != null) {
            f.put(key, value);
        }
    }

    private static Object id(Id id) {
        return id.numeric() ? (Object) Long.parseLong(id.text()) : id.text();
    }

    private static byte[] base64url(String s, String what) throws ParseException {
        if (s.isEmpty() || !AccountdCodec.isBase64Url(s)) {
            throw new ParseException("'" + what + "' is not base64url", 0);
        }
        try {
            return Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new ParseException("'" + what + "' is not base64url", 0);
        }
    }

    // ---- framing ------------------------------------------------------------------------

    /** Writes one raw frame; the object must have a string {@code op}. */
    public static void write(OutputStream out, Map<String, ?> frame) throws IOException {
        if (!(frame.get("op") instanceof String)) {
            throw new IllegalArgumentException("frame without op");
        }
        byte[] body = Json.write(frame).getBytes(StandardCharsets.UTF_8);
        if (body.length > MAX_FRAME) {
            throw new ProtocolException("frame of " + body.length + " bytes exceeds " + MAX_FRAME);
        }
        writeBody(out, body);
    }

    private static void writeBody(OutputStream out, byte[] body) throws IOException {
        byte[] buf = new byte[4 + body.length];
        ByteBuffer.wrap(buf).putInt(body.length).put(body);
        out.write(buf);
        out.flush();
    }

    /**
     * Reads one raw frame.
     *
     * @return the frame, or null on EOF at a frame boundary (the peer's "stop")
     * @throws ProtocolException for a bad length, invalid UTF-8/JSON, a missing op or EOF inside a frame
     */
    public static Map<String, Object> read(InputStream in) throws IOException {
        DataInputStream din = new DataInputStream(in);
        int first = din.read();
        if (first < 0) {
            return null;
        }
        int length;
        byte[] body;
        try {
            byte[] rest = new byte[3];
            din.readFully(rest);
            length = (first << 24) | ((rest[0] & 0xff) << 16) | ((rest[1] & 0xff) << 8) | (rest[2] & 0xff);
            if (length <= 0 || length > MAX_FRAME) {
                throw new ProtocolException("control frame length " + Integer.toUnsignedString(length)
                        + " outside 1.." + MAX_FRAME);
            }
            body = new byte[length];
            din.readFully(body);
        } catch (EOFException e) {
            throw new ProtocolException("control channel closed inside a frame");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("control frame is not UTF-8");
        }
        Map<String, Object> frame;
        try {
            frame = Json.parseObject(text);
        } catch (ParseException e) {
            throw new ProtocolException("control frame is not a JSON object");
        }
        if (!(frame.get("op") instanceof String)) {
            throw new ProtocolException("control frame without a string 'op'");
        }
        return frame;
    }
}
