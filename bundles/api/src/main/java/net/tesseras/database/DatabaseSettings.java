package net.tesseras.database;

/**
 * The SQLite settings in force on the writer connection, as SQLite reports them.
 *
 * @param location the database file, or {@code :memory:}
 * @param journalMode {@code wal} for a file database
 * @param synchronous {@code NORMAL} or {@code FULL}
 * @param busyTimeoutMillis how long a connection waits for a lock before failing
 * @param cacheSizeKiB the page cache of each connection
 * @param walAutocheckpointPages WAL size in pages that triggers a checkpoint
 * @param foreignKeys whether foreign key constraints are enforced
 */
public record DatabaseSettings(
        String location,
        String journalMode,
        Synchronous synchronous,
        int busyTimeoutMillis,
        long cacheSizeKiB,
        int walAutocheckpointPages,
        boolean foreignKeys) {}
