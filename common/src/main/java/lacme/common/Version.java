package lacme.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The suite's version, for every program's {@code --version} and the client's User-Agent:
 * the Maven project version, filtered into {@code version.properties} at build time, so
 * there is one source and no constant to forget when releasing.
 */
public final class Version {
    /** The version, or "unknown" when the resource is missing (classes run outside the build). */
    public static final String VERSION = read();

    private Version() {
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
