package net.tesseras.storage.internal.db;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import net.tesseras.database.Synchronous;

/**
 * How to open the node's database: where it lives and the tunables applied to every connection.
 *
 * @param file the database file, or empty for a private in-memory database (tests)
 * @param synchronous SQLite synchronous mode
 * @param busyTimeoutMillis how long a connection waits for a lock held by another process
 * @param cacheSizeKiB page cache per connection
 * @param walAutocheckpointPages WAL size in pages that triggers an automatic checkpoint
 * @param readers number of reader connections beside the single writer
 */
public record DatabaseConfig(
        Optional<Path> file,
        Synchronous synchronous,
        int busyTimeoutMillis,
        long cacheSizeKiB,
        int walAutocheckpointPages,
        int readers) {

    public static final int DEFAULT_BUSY_TIMEOUT_MILLIS = 5000;
    public static final long DEFAULT_CACHE_SIZE_KIB = 64000;
    public static final int DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 1000;
    public static final int DEFAULT_READERS = 4;

    public DatabaseConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(synchronous, "synchronous");
        require(busyTimeoutMillis >= 0, "busy timeout must not be negative: " + busyTimeoutMillis);
        require(cacheSizeKiB > 0, "cache size must be positive (KiB): " + cacheSizeKiB);
        require(walAutocheckpointPages >= 0, "WAL autocheckpoint must not be negative: " + walAutocheckpointPages);
        require(readers >= 1 && readers <= 64, "readers must be between 1 and 64: " + readers);
    }

    /** A database file with the default tunables. */
    public static DatabaseConfig file(Path file) {
        return new DatabaseConfig(Optional.of(file), Synchronous.NORMAL, DEFAULT_BUSY_TIMEOUT_MILLIS,
                DEFAULT_CACHE_SIZE_KIB, DEFAULT_WAL_AUTOCHECKPOINT_PAGES, DEFAULT_READERS);
    }

    /** A private in-memory database with the default tunables. */
    public static DatabaseConfig inMemory() {
        return new DatabaseConfig(Optional.empty(), Synchronous.NORMAL, DEFAULT_BUSY_TIMEOUT_MILLIS,
                DEFAULT_CACHE_SIZE_KIB, DEFAULT_WAL_AUTOCHECKPOINT_PAGES, 1);
    }

    public DatabaseConfig withSynchronous(Synchronous value) {
        return new DatabaseConfig(file, value, busyTimeoutMillis, cacheSizeKiB, walAutocheckpointPages, readers);
    }

    public DatabaseConfig withBusyTimeoutMillis(int value) {
        return new DatabaseConfig(file, synchronous, value, cacheSizeKiB, walAutocheckpointPages, readers);
    }

    /** Whether only the tunables that can change on open connections differ from {@code other}. */
    boolean sameConnectionsAs(DatabaseConfig other) {
        return file.equals(other.file) && readers == other.readers;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
