package net.tesseras.database;

/** SQLite's {@code synchronous} setting, as far as a node offers it. */
public enum Synchronous {
    /**
     * With WAL, a commit is durable once the WAL is checkpointed; a power loss can undo the last
     * transactions but never corrupts the database. The default.
     */
    NORMAL,
    /** Every commit is synced to disk: for hardware that loses power or crashes often. */
    FULL
}
