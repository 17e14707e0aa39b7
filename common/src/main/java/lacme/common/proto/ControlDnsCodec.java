package lacme.common.proto;

import lacme.common.json.Json;
import lacme.common.proto.Control.DnsAction;
import lacme.common.proto.Control.DnsAnswer;
import lacme.common.proto.Control.DnsRequest;
import lacme.common.proto.Control.Id;
import lacme.common.text.Sanitize;

import java.io.IOException;
import java.io.OutputStream;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dns-01 frames of the control channel (docs/protocol/control.md, "Frames client → master:
 * dns"): the one request the client makes of the master, and its answer. Kept apart from
 * {@link ControlCodec} (which frames them) because they flow the other way round. The master
 * distrusts the request: wrong types, an unknown action or oversized strings are protocol
 * errors; the name and value are only bounded here, the master checks them against the
 * order's section (lacme.master.dns.TxtRecordCheck) before anything runs.
 */
public final class ControlDnsCodec {
    /** Client → master: publish or remove a TXT record. */
    public static final String DNS = "dns";
    /** Master → client: the answer to a {@link #DNS} request. */
    public static final String DNS_RESULT = "dns_result";
    /** Longest record name accepted: {@code _acme-challenge.} plus a 253-character DNS name, rounded up. */
    public static final int MAX_NAME = 300;
    /** Longest TXT value accepted (a key-authorization digest has 43 characters). */
    public static final int MAX_VALUE = 300;

    private ControlDnsCodec() {
    }

    /** Writes a request (client side; the caller serialises writes on {@code out}). */
    public static void writeRequest(OutputStream out, DnsRequest r) throws IOException {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("op", DNS);
        f.put("id", r.id().text());
        f.put("order", r.order().text());
        f.put("action", r.action().wire());
        f.put("name", r.name());
        f.put("value", r.value());
        ControlCodec.write(out, f);
    }

    /** True when {@code f} is a client's dns request. */
    public static boolean isRequest(Map<String, Object> f) {
        return DNS.equals(f.get("op"));
    }

    /**
     * Checks a client's request strictly (master side).
     *
     * @throws ProtocolException for a missing or mistyped member, an unknown action or an oversized string
     */
    public static DnsRequest decodeRequest(Map<String, Object> f) throws ProtocolException {
        try {
            Id id = Id.of(bounded(f, "id", ControlCodec.MAX_ID));
            Id order = Id.of(bounded(f, "order", ControlCodec.MAX_ID));
            String action = Json.requireString(f, "action");
            DnsAction a = null;
            for (DnsAction x : DnsAction.values()) {
                if (x.wire().equals(action)) {
                    a = x;
                }
            }
            if (a == null) {
                throw new ParseException("unknown action '" + Sanitize.line(action, ControlCodec.MAX_ID) + "'", 0);
            }
            return new DnsRequest(id, order, a, bounded(f, "name", MAX_NAME), bounded(f, "value", MAX_VALUE));
        } catch (ParseException e) {
            throw new ProtocolException("malformed '" + DNS + "' request: " + e.getMessage());
        }
    }

    /** Writes the master's answer. */
    public static void writeAnswer(OutputStream out, DnsAnswer a) throws IOException {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("op", DNS_RESULT);
        f.put("id", a.id().text());
        f.put("ok", a.done());
        if (!a.done()) {
            f.put("error", a.error());
        }
        ControlCodec.write(out, f);
    }

    /** True when {@code f} is the master's answer to a dns request. */
    public static boolean isAnswer(Map<String, Object> f) {
        return DNS_RESULT.equals(f.get("op"));
    }

    /** Reads the master's answer (client side); the error is sanitised to one line. */
    public static DnsAnswer decodeAnswer(Map<String, Object> f) throws ProtocolException {
        try {
            Id id = Id.of(bounded(f, "id", ControlCodec.MAX_ID));
            if (!(f.get("ok") instanceof Boolean ok)) {
                throw new ParseException("member 'ok' is not a boolean", 0);
            }
            if (ok) {
                return new DnsAnswer(id, null);
            }
            String e = Json.string(f, "error");
            return new DnsAnswer(id, e == null || e.isBlank() ? "refused by the master"
                    : Sanitize.line(e, ControlCodec.MAX_LINE));
        } catch (ParseException e) {
            throw new ProtocolException("malformed '" + DNS_RESULT + "' answer: " + e.getMessage());
        }
    }

    private static String bounded(Map<String, Object> f, String key, int max) throws ParseException {
        String s = Json.requireString(f, key);
        if (s.isEmpty() || s.length() > max) {
            throw new ParseException("'" + key + "' is empty or longer than " + max + " characters", 0);
        }
        return s;
    }
}
