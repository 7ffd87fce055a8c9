package net.tesseras.tessera.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.io.file.PathUtils;

/**
 * A private scratch directory for one operation (the tar payload, parity shards, a rebuilt
 * payload), under the node's data directory so it shares the disk the store uses and is removed
 * whatever happens. Left-overs of a killed node are removed when the service starts.
 */
final class WorkDirectory implements AutoCloseable {

    static final String PREFIX = "tessera-";

    private final Path path;

    private WorkDirectory(Path path) {
        this.path = path;
    }

    static WorkDirectory create(Path root, String purpose) {
        try {
            Files.createDirectories(root);
            return new WorkDirectory(Files.createTempDirectory(root, PREFIX + purpose + "-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory under " + root + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    Path resolve(String name) {
        return path.resolve(name);
    }

    @Override
    public void close() {
        delete(path);
    }

    /** Removes the work directories a killed node left under {@code root}. */
    static int removeLeftOvers(Path root) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int removed = 0;
        try (var entries = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    delete(entry);
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
            if (Files.exists(dir)) {
                PathUtils.deleteDirectory(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the work directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
