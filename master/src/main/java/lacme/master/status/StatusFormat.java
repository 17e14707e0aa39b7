package lacme.master.status;

import lacme.common.json.Json;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two renderings of {@code lacme status}: one line per section for a human, and the JSON
 * document of docs/status-json.md for monitoring. The JSON members are a contract: add members
 * freely, but renaming or removing one, or changing its meaning, bumps {@link #SCHEMA}.
 */
public final class StatusFormat {
    /** docs/status-json.md's schema version. */
    public static final int SCHEMA = 1;
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private StatusFormat() {
    }

    /** One line: {@code [section] names; key; issuer; expiry (days left); ARI; next run: action (why)}. */
    public static String line(SectionStatus s, Instant now) {
        StringBuilder b = new StringBuilder();
        b.append('[').append(s.section()).append("] ");
        b.append(s.names().isEmpty() ? "(no names)" : String.join(", ", s.names()));
        switch (s.state()) {
            case VALID, EXPIRED -> {
                b.append("; ").append(s.keyType()).append("; issuer \"").append(s.issuer()).append('"');
                long days = s.daysLeft(now);
                b.append("; ").append(s.state() == SectionStatus.State.EXPIRED ? "expired " : "expires ")
                        .append(UTC.format(s.notAfter()))
                        .append(days >= 0 ? " (" + days + (days == 1 ? " day" : " days") + " left)"
                                : " (" + -days + (days == -1 ? " day" : " days") + " ago)");
            }
            case MISSING -> b.append("; no certificate (").append(s.file()).append(')');
            case UNREADABLE -> b.append("; unreadable certificate (").append(s.file()).append(')');
            case UNCONFIGURED -> b.append("; no certificate file configured");
        }
        if (s.ari() != null) {
            b.append("; ARI window ").append(UTC.format(s.ari().start())).append(" .. ")
                    .append(UTC.format(s.ari().end()));
            if (s.ari().chosen() != null) {
                b.append(", chosen ").append(UTC.format(s.ari().chosen()));
            }
        }
        b.append("; next run: ").append(s.action()).append(" (").append(s.reason()).append(')');
        if (!s.due() && s.nextRenewal() != null) {
            b.append(", due ").append(UTC.format(s.nextRenewal()));
        }
        return b.toString();
    }

    /** The whole JSON document (one line). */
    public static String json(List<SectionStatus> sections, Instant now) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", SCHEMA);
        doc.put("generated", iso(now));
        List<Object> list = new ArrayList<>();
        for (SectionStatus s : sections) {
            list.add(json(s, now));
        }
        doc.put("sections", list);
        return Json.write(doc);
    }

    static Map<String, Object> json(SectionStatus s, Instant now) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("section", s.section());
        o.put("state", s.state().label());
        o.put("file", s.file());
        o.put("names", s.names());
        o.put("keyType", s.keyType());
        o.put("issuer", s.issuer());
        o.put("notBefore", iso(s.notBefore()));
        o.put("notAfter", iso(s.notAfter()));
        o.put("daysLeft", s.daysLeft(now));
        o.put("fingerprint", s.fingerprint());
        Map<String, Object> ari = null;
        if (s.ari() != null) {
            ari = new LinkedHashMap<>();
            ari.put("windowStart", iso(s.ari().start()));
            ari.put("windowEnd", iso(s.ari().end()));
            ari.put("chosen", iso(s.ari().chosen()));
            ari.put("explanationURL", s.ari().explanationUrl());
        }
        o.put("ari", ari);
        o.put("due", s.due());
        o.put("action", s.action());
        o.put("reason", s.reason());
        o.put("nextRenewal", iso(s.nextRenewal()));
        return o;
    }

    /** RFC 3339 in UTC, whole seconds; null stays null. */
    static String iso(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
