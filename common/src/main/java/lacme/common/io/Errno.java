package lacme.common.io;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns Java I/O exceptions into the strerror(3)-style reasons lacme's messages end with
 * ("Can't open FILE: No such file or directory"), so every program of the suite words the
 * same failure the same way, and never as a Java class name or stack trace.
 */
public final class Errno {
    private Errno() {
    }

    /** The reason for {@code e}, strerror-style where the JDK lets us tell. */
    public static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
