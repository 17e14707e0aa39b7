package lacme.master.install;

import lacme.master.fs.SafeDirs;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes, beside a certificate about to be installed, what an earlier run killed mid-install
 * left — and only what is provably an install's own: a name of {@link Installer}'s pattern
 * ({@code <name>.lacme-<16 hex>.d}, or {@code <name>.<digits>.tmp} of earlier versions), owned
 * by this (root) process's user, a sealed directory or a regular file, and not live: the
 * temporary file inside is locked by the run writing it (see {@link SafeDirs#removeDead}).
 * Everything goes through the directory's descriptor, never following a link.
 */
final class InstallLeftovers {
    static final String PRIVATE_INFIX = ".lacme-";
    static final String PRIVATE_SUFFIX = ".d";
    static final String TMP_SUFFIX = ".tmp";
    /** An empty private directory younger than this may be a live run's between mkdir and create. */
    static final Duration EMPTY_GRACE = Duration.ofMinutes(10);

    private InstallLeftovers() {
    }

    /** Removes the leftovers for the file {@code name} in the opened directory {@code d}; best effort. */
    static void remove(SecureDirectoryStream<Path> d, String name) {
        Pattern priv = Pattern.compile(Pattern.quote(name) + Pattern.quote(PRIVATE_INFIX) + "[0-9a-f]{16}"
                + Pattern.quote(PRIVATE_SUFFIX));
        Pattern old = Pattern.compile(Pattern.quote(name) + "\\.[0-9]+" + Pattern.quote(TMP_SUFFIX));
        List<String> privs = new ArrayList<>();
        List<String> olds = new ArrayList<>();
        for (Path p : d) {
            String n = p.getFileName().toString();
            if (priv.matcher(n).matches()) {
                privs.add(n);
            } else if (old.matcher(n).matches()) {
                olds.add(n);
            }
        }
        for (String n : privs) {
            SafeDirs.removeDead(d, n, name + TMP_SUFFIX, EMPTY_GRACE);
        }
        for (String n : olds) {
            try {
                PosixFileAttributes a = SafeDirs.stat(d, n);
                if (a.isRegularFile() && SafeDirs.isOwn(a)) {
                    SafeDirs.deleteFile(d, n);
                }
            } catch (IOException e) {
                // not ours to judge: left alone
            }
        }
    }
}
