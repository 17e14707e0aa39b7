package lacme.accountd;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.Provider;
import java.util.Set;

/**
 * The native signing provider (Amazon Corretto Crypto Provider, AWS-LC underneath: RSA
 * signing about five times the JDK's speed, issue 12), or the JDK's own where it does not
 * load. Signatures are the same bytes either way (PKCS#1 v1.5 is deterministic; ECDSA is
 * randomised under both and verified by the JDK in {@link AccountKey}'s self-test).
 *
 * <p>Security: by default ACCP copies its JNI library out of its jar into a temporary
 * directory and loads it from there. accountd holds the account key, so it never loads code
 * from a directory others may write: {@code useExternalLib} is forced on (no extraction;
 * {@code System.loadLibrary} along {@code java.library.path}, which the launcher points at
 * the distribution's {@code share/lacme/java/accountd-native}), and the library is used only
 * if it and every directory above it are writable by nobody but root or their owner running
 * this process. Anything else (no library, a foreign one, a foreign CPU) falls back to the JDK.
 */
final class NativeCrypto {
    /** ACCP's system property: load the JNI library from java.library.path, never extract it. */
    static final String USE_EXTERNAL_LIB = "com.amazon.corretto.crypto.provider.useExternalLib";
    static final String LIBRARY = System.mapLibraryName("amazonCorrettoCryptoProvider");

    /** The provider to sign with (null: the JDK's), and why, for one debug line. */
    record Choice(Provider provider, String description) { }

    private static Choice choice;

    private NativeCrypto() { }

    /**
     * Starts {@link #choose} on a thread of its own, so that ACCP's loading and its self-tests
     * (~0.15 s of CPU, most of accountd's start) overlap reading the configuration and the
     * key instead of following them: accountd's readiness is what a one-section run waits
     * for (issue 12). Nothing is signed before {@link #choose} returns, on whichever thread.
     */
    static void prepare() {
        Thread t = new Thread(NativeCrypto::choose, "accp-load");
        t.setDaemon(true);
        t.start();
    }

    /** Decided once per process (ACCP's loader runs once per class loader). */
    static synchronized Choice choose() {
        if (choice == null) {
            choice = load();
        }
        return choice;
    }

    private static Choice load() {
        System.setProperty(USE_EXTERNAL_LIB, "true");
        Path lib = find(System.getProperty("java.library.path", ""));
        if (lib == null) {
            return jdk("no " + LIBRARY + " on java.library.path");
        }
        String unsafe = unsafe(lib);
        if (unsafe != null) {
            return jdk(unsafe);
        }
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable err = accp.getLoadingError();
            if (err != null) {
                return jdk("ACCP did not load " + lib + ": " + err);
            }
            return new Choice(accp, "ACCP " + accp.getVersionStr() + " (" + lib + ")");
        } catch (LinkageError | RuntimeException e) {
            return jdk("ACCP did not load " + lib + ": " + e);
        }
    }

    private static Choice jdk(String why) {
        return new Choice(null, "JDK provider (native ACCP not used: " + why + ")");
    }

    /** The first copy of the library along the path, as System.loadLibrary searches it. */
    static Path find(String libraryPath) {
        for (String dir : libraryPath.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, LIBRARY);
                if (Files.exists(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * Why loading {@code lib} is unsafe (someone else could replace it), or null: the path as
     * given (a symbolic link's directory counts too) and the real path, each file and directory.
     */
    static String unsafe(Path lib) {
        int me = uid();
        try {
            String why = unsafe(lib.toAbsolutePath().normalize(), me);
            return why != null ? why : unsafe(lib.toRealPath(), me);
        } catch (IOException e) {
            return lib + ": " + e.getMessage();
        }
    }

    private static String unsafe(Path path, int me) {
        for (Path p = path; p != null; p = p.getParent()) {
            try {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
                int owner = (Integer) Files.getAttribute(p, "unix:uid");
                Set<PosixFilePermission> perms = a.permissions();
                if (owner != 0 && owner != me) {
                    return p + " belongs to uid " + owner;
                }
                if (perms.contains(PosixFilePermission.OTHERS_WRITE) || perms.contains(PosixFilePermission.GROUP_WRITE)) {
                    return p + " is writable by others";
                }
            } catch (IOException | UnsupportedOperationException e) {
                return p + ": " + e.getMessage();
            }
        }
        return null;
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }
}
