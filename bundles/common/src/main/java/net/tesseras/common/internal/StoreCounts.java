package net.tesseras.common.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A store's tessera, fragment and byte counts kept in a table of the node's database (one row per
 * store: {@code store, tesseras, fragments, bytes}), moved inside the transaction that changes the
 * index, so {@code stats()} reads one row instead of scanning. Shared by the fs and SQLite stores.
 */
public final class StoreCounts {

    private StoreCounts() {
    }

    /** Adds the deltas (negative to remove) to {@code store}'s row of {@code table}, creating it. */
    public static void add(Connection c, String table, String store, long tesseras, long fragments, long bytes)
            throws SQLException {
        if (tesseras == 0 && fragments == 0 && bytes == 0) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO " + table + " (store, tesseras, fragments, bytes)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (store) DO UPDATE SET tesseras = tesseras + excluded.tesseras,"
                + " fragments = fragments + excluded.fragments, bytes = bytes + excluded.bytes")) {
            p.setString(1, store);
            p.setLong(2, tesseras);
            p.setLong(3, fragments);
            p.setLong(4, bytes);
            p.executeUpdate();
        }
    }
}
