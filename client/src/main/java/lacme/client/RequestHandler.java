package lacme.client;

import lacme.client.acme.AcmeClient;
import lacme.client.acme.AcmeException;
import lacme.client.acme.Problem;
import lacme.common.json.Json;
import lacme.common.proto.AccountdCodec;
import lacme.common.proto.ControlCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one request frame ({@code account}, {@code order}, {@code revoke}) into exactly one
 * {@code result} frame. Never throws: every failure, including a malformed request or a
 * bug, becomes {@code ok:false} with a one-line {@code error}, so one bad order cannot stop
 * the others of the run.
 */
public final class RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");
    private final AcmeClient client;
    private final boolean debug;

    public RequestHandler(AcmeClient client, boolean debug) {
        this.client = client;
        this.debug = debug;
    }

    /** The result frame for {@code frame}. */
    public Map<String, Object> handle(Map<String, Object> frame) {
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("op", ControlCodec.RESULT);
        res.put("id", frame.get("id"));
        String op = String.valueOf(frame.get("op"));
        try {
            Map<String, Object> out;
            switch (op) {
                case ControlCodec.ACCOUNT:
                    out = account(frame);
                    break;
                case ControlCodec.ORDER:
                    out = order(frame);
                    break;
                case ControlCodec.REVOKE:
                    out = revoke(frame);
                    break;
                default:
                    throw new AcmeException("unknown request '" + Problem.clean(op) + "'");
            }
            res.put("ok", true);
            res.putAll(out);
        } catch (AcmeException e) {
            fail(res, e.getMessage(), e);
        } catch (ParseException e) {
            fail(res, "malformed '" + Problem.clean(op) + "' request: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(res, "interrupted", e);
        } catch (RuntimeException e) {
            LOG.error("internal error handling '{}': {}", Problem.clean(op), e.toString(), debug ? e : null);
            fail(res, "internal error: " + e, e);
        }
        return res;
    }

    private void fail(Map<String, Object> res, String message, Exception e) {
        res.put("ok", false);
        res.put("error", Problem.clean(String.valueOf(message)));
        if (debug) {
            LOG.debug("request {} failed", res.get("id"), e);
        }
    }

    private Map<String, Object> account(Map<String, Object> f) throws ParseException, AcmeException {
        AcmeClient.AccountInfo a = client.account(Json.bool(f, "register", false), Json.bool(f, "tos_agreed", false),
                Json.bool(f, "deactivate", false), Json.strings(f, "contacts"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account", a.json());
        out.put("location", a.location().toString());
        return out;
    }

    private Map<String, Object> order(Map<String, Object> f)
            throws ParseException, AcmeException, InterruptedException {
        List<AcmeClient.Identifier> ids = new ArrayList<>();
        for (Map<String, Object> i : Json.objects(f, "identifiers")) {
            ids.add(new AcmeClient.Identifier(Json.requireString(i, "type"), Json.requireString(i, "value")));
        }
        String section = Json.string(f, "section");
        byte[] csr = base64url(Json.requireString(f, "csr"), "csr");
        LOG.debug("order{} for {}", section == null ? "" : " [" + Problem.clean(section) + "]", ids);
        AcmeClient.IssuedChain c = client.order(ids, csr);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("chain", c.chain());
        out.put("alternates", c.alternates());
        return out;
    }

    private Map<String, Object> revoke(Map<String, Object> f) throws ParseException, AcmeException {
        byte[] cert = base64url(Json.requireString(f, "certificate"), "certificate");
        Integer reason = f.get("reason") == null ? null : (int) Json.integer(f, "reason", 0);
        client.revoke(cert, reason);
        return Map.of();
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
}
