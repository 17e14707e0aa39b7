package lacme.common.os;

import org.newsclub.net.unix.FileDescriptorCast;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.ServerSocketChannel;

/**
 * Descriptor plumbing the JDK does not offer, for the master and the webserver alike.
 * ProcessBuilder closes every descriptor above 2 in the child, so a socket reaches a child
 * only as its stdin/stdout, through junixsocket's descriptor-to-Redirect cast. The descriptor
 * of a JDK ServerSocketChannel has no public accessor; {@code sun.nio.ch.SelChImpl#getFD} is
 * read reflectively (so compiling needs no flag and a JVM started without the option gets a
 * clear error, not a linkage failure), which needs {@link #JVM_OPTION} on the JVM of the
 * master and of the webserver (run-java passes it to both). {@link #of} is the suite's only
 * use of JDK internals.
 */
public final class Fds {
    /** The JVM option that makes {@link #of} work. */
    public static final String JVM_OPTION = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

    private Fds() {
    }

    /**
     * Initialises junixsocket (its native library, socket address and selector classes: ~50 ms
     * of CPU, issue 12) on a thread of its own, so that it overlaps reading the configuration
     * instead of delaying the first child's spawn. Nothing depends on it finishing: whichever
     * thread reaches junixsocket second waits for the JVM's class initialisation, and a
     * failure surfaces at the first real use, as without this.
     */
    public static void initInBackground() {
        Thread t = new Thread(() -> {
            try {
                org.newsclub.net.unix.AFUNIXSelectorProvider.provider();
            } catch (LinkageError | RuntimeException e) {
                // reported where the descriptors are used
            }
        }, "junixsocket-init");
        t.setDaemon(true);
        t.start();
    }

    /** The descriptor of a bound JDK server socket channel (TCP or UNIX-domain). */
    public static FileDescriptor of(ServerSocketChannel ch) throws IOException {
        try {
            Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
            Method m = selCh.getMethod("getFD");
            return (FileDescriptor) m.invoke(selCh.cast(ch));
        } catch (InvocationTargetException e) {
            throw new IOException(e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot reach the listening socket's descriptor; start the JVM with "
                    + JVM_OPTION, e);
        }
    }

    /** A descriptor this process inherited, by number (systemd's fd 3, lacme 0.8.2's FD argument). */
    public static FileDescriptor inherited(int n) throws IOException {
        return FileDescriptorCast.unsafeUsing(n).getFileDescriptor();
    }

    /**
     * Closes this process' copy of a descriptor and nothing else. Closing a junixsocket socket
     * would shutdown(2) the connection — breaking it for the child that now holds it — and
     * closing one end of a junixsocket pair closes the other end too; a plain close(2) through
     * a FileInputStream does neither. The FileDescriptor becomes invalid, so junixsocket's own
     * close of it later is a no-op.
     */
    public static void closeOnlyHere(FileDescriptor fd) throws IOException {
        new FileInputStream(fd).close();
    }

    /** A Redirect that makes {@code fd} the child's stdin (or stdout). */
    public static ProcessBuilder.Redirect redirect(FileDescriptor fd) throws IOException {
        return FileDescriptorCast.using(fd).as(ProcessBuilder.Redirect.class);
    }

    /**
     * A connected socket as a child's stdin and stdout. stdout needs a duplicate (the same
     * descriptor twice fails with EBADF), and that duplicate lives in this process: unless it
     * is closed once the child has started, the socket never reaches EOF here when the child
     * dies, and the master would wait forever for a dead client or accountd.
     */
    public static final class Duplex implements java.io.Closeable {
        private final FileDescriptor fd;
        private final FileDescriptor dup;
        /** The child's stdin. */
        public final ProcessBuilder.Redirect in;
        /** The child's stdout. */
        public final ProcessBuilder.Redirect out;

        private Duplex(FileDescriptor fd) throws IOException {
            this.fd = fd;
            this.dup = FileDescriptorCast.duplicating(fd).getFileDescriptor();
            this.in = redirect(fd);
            this.out = redirect(dup);
        }

        /** Releases this process' copies (the descriptor and its duplicate) without a shutdown. */
        @Override
        public void close() throws IOException {
            try {
                if (dup.valid()) {
                    closeOnlyHere(dup);
                }
            } finally {
                if (fd.valid()) {
                    closeOnlyHere(fd);
                }
            }
        }
    }

    /** See {@link Duplex}; close it right after starting the child. */
    public static Duplex duplex(FileDescriptor fd) throws IOException {
        return new Duplex(fd);
    }
}
