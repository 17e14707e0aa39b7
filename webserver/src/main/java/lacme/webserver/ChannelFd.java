package lacme.webserver;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.ServerSocketChannel;

/**
 * The one place that reaches a JDK channel's file descriptor. The JDK has no public
 * accessor; {@code sun.nio.ch.SelChImpl#getFD} is the internal one and needs the JVM
 * option {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}. It is called
 * reflectively, so compiling needs no flag and a JVM started without the option gets a
 * clear error instead of a linkage failure. Needed only to hand a socket this process
 * bound to a child (standalone mode started as root); managed mode never uses it.
 */
public final class ChannelFd {
    /** The JVM option that makes {@link #of} work. */
    public static final String JVM_OPTION = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

    private ChannelFd() {
    }

    /** The descriptor of a JDK server socket channel (TCP or UNIX-domain). */
    public static FileDescriptor of(ServerSocketChannel ch) throws IOException {
        try {
            Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
            Method getFd = selCh.getMethod("getFD");
            return (FileDescriptor) getFd.invoke(selCh.cast(ch));
        } catch (IllegalAccessException | ClassNotFoundException | NoSuchMethodException
                | ClassCastException e) {
            throw new IOException("cannot reach the socket's descriptor; start the JVM with "
                    + JVM_OPTION, e);
        } catch (InvocationTargetException e) {
            throw new IOException(e.getCause());
        }
    }
}
