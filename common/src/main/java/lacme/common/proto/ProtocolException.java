package lacme.common.proto;

import java.io.IOException;

/** The peer sent something the channel's specification does not allow. */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
