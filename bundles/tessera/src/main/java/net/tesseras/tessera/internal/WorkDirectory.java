package net.tesseras.tessera.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.apache.commons.io.file.PathUtils;
import org.slf4j.Logger;

/**
 * A private scratch directory for one operation (the tar payload, parity shards, a rebuilt
 * payload), under the node's data directory so it shares the disk the store uses and is removed
 * whatever happens. Left-overs of a killed node are removed when the service starts: only
 * directories this class made, recognised by their exact name and the marker file inside, never
 * anything else that happens to live there.
 */
final class WorkDirectory implements AutoCloseable {

    static final String PREFIX = "tessera-";

    /** Written first into every work directory: what start-up cleaning looks for before it deletes. */
    static final String MARKER = ".tesseras-work";

    private static final Pattern NAME = Pattern.compile("tessera-(create|verify|export|rebuild|adopt)-[0-9]+");

    private final Path path;

    private WorkDirectory(Path path) {
        this.path = path;
    }

    static WorkDirectory create(Path root, String purpose) {
        try {
            Files.createDirectories(root);
            Path dir = Files.createTempDirectory(root, PREFIX + purpose + "-");
            Files.createFile(dir.resolve(MARKER));
            return new WorkDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory under " + root + " (" + e + "); check"
                    + " work.directory in etc/net.tesseras.tessera.cfg and the free space there", e);
        }
    }

    /**
     * The work directory a configured value names: relative to the data directory and inside it.
     *
     * @return the directory, or null when the value leaves the data directory
     */
    static Path confined(Path dataDirectory, String configured) {
        Path data = dataDirectory.toAbsolutePath().normalize();
        Path resolved = data.resolve(configured).normalize();
        return resolved.startsWith(data) && !resolved.equals(data) ? resolved : null;
    }

    Path path() {
        return path;
    }

    Path resolve(String name) {
        return path.resolve(name);
    }

    /** Removes the directory; a failure is logged, never thrown over the operation's own result. */
    @Override
    public void close() {
        try {
            delete(path);
        } catch (UncheckedIOException e) {
            org.slf4j.LoggerFactory.getLogger(WorkDirectory.class).warn("{}; the next start removes it", e.getMessage());
        }
    }

    /** Removes the work directories a killed node left under {@code root}, naming each. */
    static int removeLeftOvers(Path root, Logger log) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int removed = 0;
        try (var entries = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path entry : entries) {
                if (NAME.matcher(entry.getFileName().toString()).matches()
                        && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        && Files.isRegularFile(entry.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
                    delete(entry);
                    log.info("Removed {}, left by a tessera command the node did not finish", entry);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return removed;
    }

    private static void delete(Path dir) {
        try {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                PathUtils.deleteDirectory(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the work directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
