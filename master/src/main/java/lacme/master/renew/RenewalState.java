package lacme.master.renew;

import lacme.common.json.Json;
import lacme.master.fs.SafeDirs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What renewal remembers between runs, per section, in {@code <state-directory>/renewal.json}
 * (default {@code /var/lib/lacme}): the random point chosen in the ARI window (so that
 * repeated runs agree instead of re-rolling towards the window's start), when to ask the CA
 * again (Retry-After), and the profile of the last issuance (a changed profile renews).
 *
 * <p>Security: the directory is created 0700 and must be a directory this process owns that
 * nobody else can read or write (else an error, not a silent fallback: a local user who could
 * plant the file could postpone renewals); the file is read and replaced through that
 * directory's descriptor without following links, written to a fresh name and renamed.
 */
public final class RenewalState {
    /** The file inside the state directory. */
    public static final String FILE = "renewal.json";
    /** Its default directory. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/lib/lacme");
    /** Largest state file read: a section's entry is a few hundred bytes. */
    private static final int MAX_SIZE = 1 << 20;

    /** One section's memory; any member may be null. */
    public record Entry(String ariId, Instant windowStart, Instant windowEnd, Instant chosen, String explanationUrl,
            Instant nextCheck, String profile) {
    }

    private final Path dir;
    private final Map<String, Entry> entries;

    private RenewalState(Path dir, Map<String, Entry> entries) {
        this.dir = dir;
        this.entries = entries;
    }

    /** An empty state that is never saved (tests, and a read-only {@code status}). */
    public static RenewalState inMemory() {
        return new RenewalState(null, new TreeMap<>());
    }

    /** Reads the state of {@code dir}, creating the directory (0700) when missing. */
    public static RenewalState load(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(SafeDirs.RWX_OWNER));
        } catch (FileAlreadyExistsException e) {
            // checked below, through the descriptor
        } catch (NoSuchFileException e) {
            throw new IOException("state-directory " + dir + ": its parent does not exist");
        }
        Map<String, Entry> entries = new TreeMap<>();
        try (SecureDirectoryStream<Path> d = open(dir)) {
            byte[] data;
            try (SeekableByteChannel ch = d.newByteChannel(Path.of(FILE),
                    Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                if (ch.size() > MAX_SIZE) {
                    throw new IOException(dir.resolve(FILE) + ": larger than " + MAX_SIZE + " bytes");
                }
                ByteBuffer b = ByteBuffer.allocate((int) ch.size());
                while (b.hasRemaining() && ch.read(b) > 0) {
                    // read it all
                }
                data = b.array();
            } catch (NoSuchFileException e) {
                return new RenewalState(dir, entries);
            }
            try {
                Map<String, Object> sections = Json.object(Json.parseObject(new String(data, StandardCharsets.UTF_8)),
                        "sections");
                if (sections != null) {
                    for (String s : sections.keySet()) {
                        entries.put(s, entry(Json.object(sections, s)));
                    }
                }
            } catch (ParseException | RuntimeException e) {
                throw new IOException(dir.resolve(FILE) + ": unreadable (" + e.getMessage()
                        + "); remove it to start afresh");
            }
        }
        return new RenewalState(dir, entries);
    }

    private static SecureDirectoryStream<Path> open(Path dir) throws IOException {
        SecureDirectoryStream<Path> d = SafeDirs.open(dir);
        PosixFileAttributes a = SafeDirs.stat(d);
        if (!SafeDirs.isSealed(a) || Files.isSymbolicLink(dir)) {
            d.close();
            throw new IOException("state-directory " + dir + " must be a directory of " + SafeDirs.self().getName()
                    + " that nobody else can read or write (it is "
                    + PosixFilePermissions.toString(a.permissions()) + ", owner " + a.owner().getName() + ")");
        }
        return d;
    }

    private static Entry entry(Map<String, Object> o) throws ParseException {
        return new Entry(Json.string(o, "ari_id"), time(o, "window_start"), time(o, "window_end"), time(o, "chosen"),
                Json.string(o, "explanation_url"), time(o, "next_check"), Json.string(o, "profile"));
    }

    private static Instant time(Map<String, Object> o, String key) throws ParseException {
        long v = Json.integer(o, key, Long.MIN_VALUE);
        return v == Long.MIN_VALUE ? null : Instant.ofEpochSecond(v);
    }

    /** The section's entry, or null. */
    public Entry get(String section) {
        return entries.get(section);
    }

    /** Replaces the section's entry (saved by {@link #save}). */
    public void put(String section, Entry e) {
        entries.put(section, e);
    }

    /** Writes the state atomically (a no-op for {@link #inMemory}). */
    public void save() throws IOException {
        if (dir == null) {
            return;
        }
        Map<String, Object> sections = new LinkedHashMap<>();
        entries.forEach((s, e) -> {
            Map<String, Object> o = new LinkedHashMap<>();
            putIf(o, "ari_id", e.ariId());
            putIf(o, "window_start", e.windowStart());
            putIf(o, "window_end", e.windowEnd());
            putIf(o, "chosen", e.chosen());
            putIf(o, "explanation_url", e.explanationUrl());
            putIf(o, "next_check", e.nextCheck());
            putIf(o, "profile", e.profile());
            sections.put(s, o);
        });
        byte[] data = (Json.write(Map.of("sections", sections)) + "\n").getBytes(StandardCharsets.UTF_8);
        try (SecureDirectoryStream<Path> d = open(dir)) {
            Path tmp = Path.of("." + FILE + "." + SafeDirs.random());
            try {
                try (SeekableByteChannel ch = d.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, StandardOpenOption.SYNC, LinkOption.NOFOLLOW_LINKS),
                        PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ,
                                PosixFilePermission.OWNER_WRITE)))) {
                    ByteBuffer b = ByteBuffer.wrap(data);
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                d.move(tmp, d, Path.of(FILE));
            } finally {
                SafeDirs.deleteFile(d, tmp.toString());
            }
        }
    }

    private static void putIf(Map<String, Object> o, String key, Object v) {
        if (v instanceof Instant i) {
            o.put(key, i.getEpochSecond());
        } else if (v != null) {
            o.put(key, v);
        }
    }
}
