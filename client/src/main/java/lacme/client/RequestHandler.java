package lacme.client;

import lacme.client.acme.AcmeClient;
import lacme.client.acme.AcmeException;
import lacme.client.acme.Problem;
import lacme.common.proto.Control.AccountRequest;
import lacme.common.proto.Control.AccountResult;
import lacme.common.proto.Control.Failure;
import lacme.common.proto.Control.Identifier;
import lacme.common.proto.Control.Invalid;
import lacme.common.proto.Control.OrderRequest;
import lacme.common.proto.Control.OrderResult;
import lacme.common.proto.Control.RenewalInfo;
import lacme.common.proto.Control.RenewalInfoRequest;
import lacme.common.proto.Control.RenewalInfoResult;
import lacme.common.proto.Control.Request;
import lacme.common.proto.Control.Result;
import lacme.common.proto.Control.RevokeRequest;
import lacme.common.proto.Control.RevokeResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns one request into exactly one result. Never throws: every failure, including a
 * malformed request or a bug, becomes a {@link Failure} with a one-line reason, so one bad
 * order cannot stop the others of the run.
 */
public final class RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger("lacme-client");
    private final AcmeClient client;
    private final boolean debug;
    private final MasterDns dns;

    public RequestHandler(AcmeClient client, boolean debug) {
        this(client, null, debug);
    }

    /** A handler that answers dns-01 through {@code dns} (the master's records; null: not answered). */
    public RequestHandler(AcmeClient client, MasterDns dns, boolean debug) {
        this.client = client;
        this.dns = dns;
        this.debug = debug;
    }

    /** The result for {@code request}. */
    public Result handle(Request request) {
        try {
            if (request instanceof AccountRequest a) {
                AcmeClient.AccountInfo i = client.account(a.register(), a.tosAgreed(), a.deactivate(), a.contacts());
                return new AccountResult(a.id(), i.json(), i.location().toString());
            } else if (request instanceof OrderRequest o) {
                List<AcmeClient.Identifier> ids = new ArrayList<>();
                for (Identifier i : o.identifiers()) {
                    ids.add(new AcmeClient.Identifier(i.type(), i.value()));
                }
                LOG.debug("order{} for {}", o.section() == null ? "" : " [" + Problem.clean(o.section()) + "]", ids);
                AcmeClient.IssuedChain c = client.order(ids, o.csr(), o.challenges(), o.section(), o.profile(),
                        o.replaces(), dns == null ? null : dns.forOrder(o.id()));
                return new OrderResult(o.id(), c.chain(), c.alternates());
            } else if (request instanceof RenewalInfoRequest q) {
                List<RenewalInfo> answers = client.renewalInfo(q.ariIds());
                return new RenewalInfoResult(q.id(), answers != null, answers == null ? List.of() : answers);
            } else if (request instanceof RevokeRequest r) {
                client.revoke(r.certificate(), r.reason());
                return new RevokeResult(r.id());
            } else {
                return fail(request, ((Invalid) request).error(), null);
            }
        } catch (AcmeException e) {
            return fail(request, e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(request, "interrupted", e);
        } catch (RuntimeException e) {
            LOG.error("internal error handling request {}: {}", request.id(), e.toString(), debug ? e : null);
            return fail(request, "internal error: " + e, e);
        }
    }

    private Failure fail(Request request, String message, Exception e) {
        if (debug && e != null) {
            LOG.debug("request {} failed", request.id(), e);
        }
        return new Failure(request.id(), Problem.clean(String.valueOf(message)));
    }
}
