package lacme.client;

import lacme.client.acme.AccountKey;
import lacme.client.acme.AcmeClient;
import lacme.client.acme.AcmeConnection;
import lacme.common.proto.ControlCodec;
import lacme.common.proto.ProtocolException;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;
import org.slf4j.Logger;

import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.IOException;

/**
 * The client's lacme-accountd connection, which arrives with hello or later with an
 * {@code accountd} frame (docs/protocol/control.md, issue 13): the master connects to
 * accountd — possibly a key host over ssh — only once it knows something is due, while the
 * client has already fetched the directory and the renewal windows without it.
 */
final class LateAccountd implements ControlLoop.Accountd, AutoCloseable {
    /** accountd closed the connection before its greeting: the client exits {@code EXIT_ACCOUNTD_GONE}. */
    static final class GoneException extends IOException {
        private static final long serialVersionUID = 1L;

        GoneException() {
            super("lacme-accountd closed the connection before its greeting");
        }
    }

    private final AFUNIXSocket control;
    private final AcmeConnection conn;
    private final AcmeClient client;
    private final Logger log;
    private volatile AFUNIXSocket socket;

    LateAccountd(AFUNIXSocket control, AcmeConnection conn, AcmeClient client, Logger log) {
        this.control = control;
        this.conn = conn;
        this.client = client;
        this.log = log;
    }

    @Override
    public boolean attached() {
        return socket != null;
    }

    @Override
    public void handover() throws IOException {
        if (socket != null) {
            throw new ProtocolException("a second lacme-accountd connection ('" + ControlCodec.ACCOUNTD + "')");
        }
        FileDescriptor[] fds = control.getReceivedFileDescriptors();
        if (fds == null || fds.length != 1) {
            throw new ProtocolException("'" + ControlCodec.ACCOUNTD + "' must carry exactly one descriptor, got "
                    + (fds == null ? 0 : fds.length));
        }
        attach(fds[0]);
    }

    /** Reads accountd's greeting on {@code fd} and attaches the account key it announces. */
    void attach(FileDescriptor fd) throws IOException {
        AFUNIXSocket s = FileDescriptorCast.using(fd).as(AFUNIXSocket.class);
        socket = s;
        BufferedInputStream in = new BufferedInputStream(s.getInputStream());
        if (ClientMain.closedBeforeGreeting(in)) {
            throw new GoneException();
        }
        AccountKey key = ClientMain.greetedKey(in, s.getOutputStream(), log);
        conn.attach(key);
        client.attachAccount(key.kid());
    }

    @Override
    public void close() throws IOException {
        AFUNIXSocket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
