package lacme.common.proto;

import lacme.common.json.Json;
import lacme.common.proto.Control.Id;
import lacme.common.proto.Control.RenewalInfo;
import lacme.common.proto.Control.RenewalInfoRequest;
import lacme.common.proto.Control.RenewalInfoResult;
import lacme.common.text.Sanitize;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The members of the {@code renewal_info} request and its result (docs/protocol/control.md),
 * for {@link ControlCodec}, which alone calls this. Kept apart so that the codec stays one
 * readable file. The master's side distrusts the client: bounded counts, CertIDs of the right
 * form, a window whose start precedes its end, a Retry-After within the documented clamp, and
 * texts sanitised before anyone can print them.
 */
final class RenewalInfoFrames {
    /** Latest instant accepted in a window (year 9999): keeps arithmetic and formatting safe. */
    private static final long MAX_EPOCH = 253402300799L;

    private RenewalInfoFrames() {
    }

    static void encodeRequest(Map<String, Object> f, RenewalInfoRequest r) {
        f.put("ari_ids", r.ariIds());
    }

    /** The client's reading; a bad member is a {@link ParseException} (answered as invalid). */
    static RenewalInfoRequest decodeRequest(Id id, Map<String, Object> f) throws ParseException {
        List<String> ids = Json.strings(f, "ari_ids");
        if (ids.isEmpty() || ids.size() > Control.MAX_RENEWAL_INFO) {
            throw new ParseException("'ari_ids' must list 1 to " + Control.MAX_RENEWAL_INFO + " CertIDs", 0);
        }
        for (String a : ids) {
            if (!Control.isAriId(a)) {
                throw new ParseException("'ari_ids' has a malformed CertID '" + Sanitize.line(a, ControlCodec.MAX_ID)
                        + "'", 0);
            }
        }
        return new RenewalInfoRequest(id, ids);
    }

    static void encodeResult(Map<String, Object> f, RenewalInfoResult r) {
        f.put("offered", r.offered());
        List<Map<String, Object>> answers = new ArrayList<>();
        for (RenewalInfo i : r.answers()) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("ari_id", i.ariId());
            if (i.error() != null) {
                a.put("error", i.error());
            } else {
                a.put("start", i.start().getEpochSecond());
                a.put("end", i.end().getEpochSecond());
                a.put("retry_after", i.retryAfter().toSeconds());
                if (i.explanationUrl() != null) {
                    a.put("explanation_url", i.explanationUrl());
                }
            }
            answers.add(a);
        }
        f.put("answers", answers);
    }

    /** The master's reading of an ok result; anything out of bounds is a {@link ParseException}. */
    static RenewalInfoResult decodeResult(Id id, Map<String, Object> f) throws ParseException {
        Object offered = f.get("offered");
        if (!(offered instanceof Boolean)) {
            throw new ParseException("member 'offered' is not a boolean", 0);
        }
        List<Map<String, Object>> raw = Json.objects(f, "answers");
        if (raw.size() > Control.MAX_RENEWAL_INFO || (!(Boolean) offered && !raw.isEmpty())) {
            throw new ParseException("'answers' has " + raw.size() + " entries", 0);
        }
        List<RenewalInfo> answers = new ArrayList<>();
        for (Map<String, Object> a : raw) {
            String ari = Json.requireString(a, "ari_id");
            if (!Control.isAriId(ari)) {
                throw new ParseException("malformed 'ari_id'", 0);
            }
            String error = Json.string(a, "error");
            if (error != null) {
                answers.add(RenewalInfo.failed(ari, error.isBlank() ? "no reason given"
                        : Sanitize.line(error, ControlCodec.MAX_LINE)));
                continue;
            }
            long start = Json.integer(a, "start", -1);
            long end = Json.integer(a, "end", -1);
            if (start < 0 || end > MAX_EPOCH || start >= end) {
                throw new ParseException("window " + start + " … " + end + " of " + ari + " is not a window", 0);
            }
            long retry = Json.integer(a, "retry_after", -1);
            if (retry < Control.MIN_RETRY_AFTER.toSeconds() || retry > Control.MAX_RETRY_AFTER.toSeconds()) {
                throw new ParseException("'retry_after' " + retry + " is outside "
                        + Control.MIN_RETRY_AFTER.toSeconds() + " … " + Control.MAX_RETRY_AFTER.toSeconds(), 0);
            }
            String url = Json.string(a, "explanation_url");
            answers.add(RenewalInfo.window(ari, Instant.ofEpochSecond(start), Instant.ofEpochSecond(end),
                    url == null || url.isBlank() ? null : Sanitize.line(url, ControlCodec.MAX_LINE),
                    Duration.ofSeconds(retry)));
        }
        return new RenewalInfoResult(id, (Boolean) offered, answers);
    }
}
