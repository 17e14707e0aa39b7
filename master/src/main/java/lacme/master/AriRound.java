package lacme.master;

import lacme.common.proto.Control;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.RenewalInfo;
import lacme.common.proto.Control.RenewalInfoRequest;
import lacme.common.proto.Control.RenewalInfoResult;
import lacme.common.proto.Control.Result;
import lacme.master.config.Reporter;
import lacme.master.renew.CurrentCert;
import lacme.master.renew.RenewalPlanner;
import lacme.master.renew.RenewalState;
import lacme.master.renew.Window;
import lacme.master.spawn.ClientSession;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The ARI round of a run (RFC 9773; issue 13): which installed certificates need their
 * renewal window asked, and asking the client, which needs no accountd for it. The client
 * is distrusted: its answers must name exactly the CertIDs asked, in order, else the run
 * ends as for any control protocol violation.
 */
final class AriRound {
    private AriRound() {
    }

    /**
     * The look-ups of a run: section → CertID of the certificates to ask about, and the
     * windows remembered whose Retry-After has not passed (no need to ask again).
     */
    record Lookups(Map<String, String> toAsk, Map<String, Window> cached) {
        boolean isEmpty() {
            return toAsk.isEmpty() && cached.isEmpty();
        }
    }

    /**
     * The sections among {@code selected} (all when empty) with an installed certificate that
     * has a CertID; nothing with --min-days or --force, which decide alone.
     */
    static Map<String, CurrentCert> candidates(Map<String, Map<String, String>> all, List<String> selected,
                                               Integer minDaysOption) {
        Map<String, CurrentCert> out = new LinkedHashMap<>();
        if (minDaysOption != null) {
            return out;
        }
        for (String s : selected.isEmpty() ? new ArrayList<>(all.keySet()) : selected) {
            Map<String, String> c = all.get(s);
            CurrentCert cert = c == null ? null : CurrentCert.ofSection(s, c, w -> { }); // plan() warns
            if (cert != null && cert.ariId() != null) {
                out.put(s, cert);
            }
        }
        return out;
    }

    /** Splits the candidates into windows still remembered and CertIDs to ask about. */
    static Lookups lookups(Map<String, CurrentCert> candidates, RenewalState state, Instant now) {
        Map<String, String> toAsk = new LinkedHashMap<>();
        Map<String, Window> cached = new HashMap<>();
        candidates.forEach((s, cert) -> {
            Window w = RenewalPlanner.cachedWindow(state == null ? null : state.get(s), cert, now);
            if (w != null) {
                cached.put(s, w);
            } else {
                toAsk.put(s, cert.ariId());
            }
        });
        return new Lookups(toAsk, cached);
    }

    /**
     * Asks the client about {@code toAsk} (section → CertID) and returns the windows by
     * section. A CA without renewalInfo, a failed request or a failed look-up leaves the
     * section out: it is decided by lifetime, as without ARI.
     */
    static Map<String, Window> ask(ClientSession client, Map<String, String> toAsk, Instant now, Reporter report)
            throws Fatal {
        Map<String, Window> windows = new HashMap<>();
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(toAsk.values()));
        Map<String, RenewalInfo> byId = new HashMap<>();
        for (int i = 0; i < ids.size(); i += Control.MAX_RENEWAL_INFO) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + Control.MAX_RENEWAL_INFO));
            client.send(id -> new RenewalInfoRequest(id, chunk));
            Result r = client.receive();
            if (r instanceof Failure f) {
                report.warn("Warning: Couldn't fetch renewal information (" + f.error() + "), deciding by lifetime");
                return windows;
            }
            RenewalInfoResult info = (RenewalInfoResult) r;
            if (!info.offered()) {
                report.debug("The ACME server offers no renewalInfo: deciding by lifetime");
                return windows;
            }
            if (info.answers().size() != chunk.size()) {
                throw new Fatal("the client broke the control protocol: " + info.answers().size()
                        + " renewal_info answers for " + chunk.size() + " certificates");
            }
            for (int j = 0; j < chunk.size(); j++) {
                RenewalInfo a = info.answers().get(j);
                if (!a.ariId().equals(chunk.get(j))) {
                    throw new Fatal("the client broke the control protocol: a renewal_info answer for a"
                            + " certificate not asked about");
                }
                byId.put(a.ariId(), a);
            }
        }
        toAsk.forEach((s, ari) -> {
            RenewalInfo a = byId.get(ari);
            if (a.error() != null) {
                report.warn("[" + s + "] Warning: Couldn't fetch renewal information (" + a.error()
                        + "), deciding by lifetime");
            } else {
                windows.put(s, new Window(a.start(), a.end(), a.explanationUrl(), now.plus(a.retryAfter())));
            }
        });
        return windows;
    }
}
