package lacme.accountd;

import com.nimbusds.jose.JOSEException;
import lacme.common.proto.AccountdCodec;
import lacme.common.proto.ProtocolException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One protocol-1 session (docs/protocol/accountd.md): the greeting, then one signature per
 * acceptable request line until EOF. The first unacceptable line is logged as
 * {@code NOSIGN [reason]} and ends the session without an answer, so a misbehaving peer
 * learns nothing and gets nothing signed. The same code serves --stdio and every socket
 * connection; sessions share only the immutable key and policy, so they run concurrently.
 */
public final class Session {
    private final AccountKey key;
    private final String kid;
    private final SigningPolicy policy;
    private final AccountLog log;

    /** @param kid the configured {@code keyid}, or null */
    public Session(AccountKey key, String kid, AccountLog log) {
        this(key, kid, SigningPolicy.Rules.DEFAULT, log);
    }

    /** A session signing what {@code rules} allow (docs/security.md, the signing policy). */
    public Session(AccountKey key, String kid, SigningPolicy.Rules rules, AccountLog log) {
        this.key = key;
        this.kid = kid;
        this.policy = new SigningPolicy(key.alg().getName(), rules);
        this.log = log;
    }

    /** How a session ended. */
    public enum End {
        /** The peer closed the connection. */
        EOF,
        /** A request was refused (NOSIGN). */
        REFUSED,
        /** The connection broke. */
        IO_ERROR
    }

    /**
     * Serves one session; {@code in} should be buffered. Never throws for anything the peer
     * does. {@code id} tags the log lines ({@code [id] ...}).
     */
    public End serve(InputStream in, OutputStream out, String id) {
        try {
            AccountdCodec.writeGreeting(out, key.greetingJson(kid), kid != null ? "{}" : key.jwkJson());
            while (true) {
                String line;
                try {
                    line = AccountdCodec.readLine(in);
                } catch (ProtocolException e) {
                    log.info("[" + id + "] NOSIGN [" + e.getMessage() + "]");
                    return End.REFUSED;
                }
                if (line == null) {
                    return End.EOF;
                }
                SigningPolicy.Request req;
                try {
                    req = policy.check(line);
                } catch (SigningPolicy.Refusal r) {
                    log.info("[" + id + "] NOSIGN [" + r.getMessage() + "]");
                    return End.REFUSED;
                }
                String sig;
                try {
                    sig = key.sign(req.signingInput());
                } catch (JOSEException e) {
                    log.error("[" + id + "] signing failed: " + e.getMessage());
                    return End.IO_ERROR;
                }
                AccountdCodec.writeSignature(out, sig);
                log.verbose("[" + id + "] SIGNED url=" + AccountLog.printable(req.url())
                        + (req.kid() != null ? " kid=" + AccountLog.printable(req.kid()) : " jwk")
                        + " payload=" + req.payloadLength() + " bytes kind="
                        + AccountLog.printable(req.acme().summary()));
            }
        } catch (IOException e) {
            log.debug("[" + id + "] connection error: " + e.getMessage());
            return End.IO_ERROR;
        }
    }
}
