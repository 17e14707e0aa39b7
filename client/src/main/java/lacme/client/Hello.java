package lacme.client;

import lacme.common.json.Json;
import lacme.common.proto.ControlCodec;
import lacme.common.proto.ProtocolException;

import java.text.ParseException;
import java.util.Map;

/**
 * The master's {@code hello} frame (docs/protocol/control.md): everything the client is
 * configured with, since it reads no file. Parsed strictly: a wrong type is a protocol
 * error, not a default.
 */
public record Hello(String server, long timeout, boolean sslVerify, String sslVersion, String sslCipherList,
        String caPem, boolean debug, int maxParallel) {
    /** lacme's default server when {@code server} is absent. */
    public static final String DEFAULT_SERVER = "https://acme-v02.api.letsencrypt.org/directory";
    /** lacme's default timeout (seconds). */
    public static final long DEFAULT_TIMEOUT = 30;
    /** Largest {@code max_parallel} accepted. */
    public static final int MAX_PARALLEL_LIMIT = 16;

    /** Checks {@code maxParallel} (1 … {@link #MAX_PARALLEL_LIMIT}). */
    public Hello {
        if (maxParallel < 1 || maxParallel > MAX_PARALLEL_LIMIT) {
            throw new IllegalArgumentException("max_parallel " + maxParallel + " is not 1 … " + MAX_PARALLEL_LIMIT);
        }
    }

    /** A hello with the default {@code max_parallel} ({@link ClientMain#MAX_PARALLEL}). */
    public Hello(String server, long timeout, boolean sslVerify, String sslVersion, String sslCipherList,
            String caPem, boolean debug) {
        this(server, timeout, sslVerify, sslVersion, sslCipherList, caPem, debug, ClientMain.MAX_PARALLEL);
    }

    /** Parses and checks a hello frame. */
    public static Hello parse(Map<String, Object> f) throws ProtocolException {
        try {
            if (!ControlCodec.HELLO.equals(f.get("op"))) {
                throw new ProtocolException("first control frame is '" + f.get("op") + "', not 'hello'");
            }
            long version = Json.integer(f, "version", -1);
            if (version != 1) {
                throw new ProtocolException("unsupported control protocol version " + version + " (1 expected)");
            }
            String server = Json.string(f, "server");
            long timeout = Json.integer(f, "timeout", DEFAULT_TIMEOUT);
            if (timeout < 0) {
                throw new ProtocolException("negative timeout in hello");
            }
            long parallel = Json.integer(f, "max_parallel", ClientMain.MAX_PARALLEL);
            if (parallel < 1 || parallel > MAX_PARALLEL_LIMIT) {
                throw new ProtocolException("max_parallel " + parallel + " in hello is not 1 … "
                        + MAX_PARALLEL_LIMIT);
            }
            return new Hello(server == null || server.isEmpty() ? DEFAULT_SERVER : server, timeout,
                    Json.bool(f, "ssl_verify", true), Json.string(f, "ssl_version"),
                    Json.string(f, "ssl_cipher_list"), Json.string(f, "ca_pem"), Json.bool(f, "debug", false),
                    (int) parallel);
        } catch (ParseException e) {
            throw new ProtocolException("malformed hello: " + e.getMessage());
        }
    }
}
