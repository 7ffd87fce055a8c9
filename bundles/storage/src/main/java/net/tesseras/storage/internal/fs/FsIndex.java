package net.tesseras.storage.internal.fs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import net.tesseras.common.internal.FragmentRows;
import net.tesseras.common.internal.StoreCounts;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Database;
import net.tesseras.database.Migration;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.StoreStats;

/** The SQLite index of one fs store: one row per fragment, keyed by store name, tessera and index. */
final class FsIndex {

    static final String SCHEMA = "fragments.fs";

    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "fragment index of fs stores",
            "CREATE TABLE fs_fragments ("
                    + " store TEXT NOT NULL,"
                    + " tessera TEXT NOT NULL CHECK (length(tessera) = 64),"
                    + " idx INTEGER NOT NULL CHECK (idx BETWEEN 0 AND 65535),"
                    + " parity INTEGER NOT NULL CHECK (parity IN (0, 1)),"
                    + " checksum TEXT NOT NULL CHECK (length(checksum) = 64),"
                    + " size INTEGER NOT NULL CHECK (size >= 0),"
                    + " path TEXT NOT NULL,"
                    + " stored_at INTEGER NOT NULL,"
                    + " last_verified INTEGER,"
                    + " PRIMARY KEY (store, tessera, idx)"
                    + ") WITHOUT ROWID"),
            Migration.of(2, "volume identity of fs stores",
                    "CREATE TABLE fs_stores ("
                            + " store TEXT PRIMARY KEY,"
                            + " volume_id TEXT NOT NULL,"
                            + " root TEXT NOT NULL,"
                            + " created_at INTEGER NOT NULL)"),
            // Counts for stats(), kept in the transaction of every insert and delete (see put and
            // remove) and recounted once when a store opens, so a scrape never scans the index.
            Migration.of(3, "maintained counts of fs stores",
                    "CREATE TABLE fs_store_counts ("
                            + " store TEXT PRIMARY KEY,"
                            + " tesseras INTEGER NOT NULL,"
                            + " fragments INTEGER NOT NULL,"
                            + " bytes INTEGER NOT NULL)"));

    /** One page of tesseras: a range of the primary key (store, tessera, idx), never a scan. */
    static final String PAGE =
            "SELECT DISTINCT tessera FROM fs_fragments WHERE store = ? AND tessera > ? ORDER BY tessera LIMIT ?";

    /** The maintained counts of one store: one row by its key. */
    static final String COUNTS = "SELECT tesseras, fragments, bytes FROM fs_store_counts WHERE store = ?";

    private final Database database;
    private final String store;

    FsIndex(Database database, String store) {
        this.database = database;
        this.store = store;
    }

    void migrate() {
        database.migrate(SCHEMA, MIGRATIONS);
    }

    Optional<FragmentInfo> find(ContentHash tessera, int index) {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT " + FragmentRows.COLUMNS + " FROM fs_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                p.setString(1, store);
                p.setString(2, tessera.toHex());
                p.setInt(3, index);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(FragmentRows.info(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Records a fragment, replacing a row left behind for a file that had gone missing. */
    void put(FragmentInfo info, String relativePath) {
        putAll(List.of(new Row(info, relativePath)));
    }

    /** A row to record: the fragment and its file relative to the root. */
    record Row(FragmentInfo info, String relativePath) {}

    /** Records several fragments in one transaction, with the counts. */
    void putAll(List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        database.write(c -> {
            long[] delta = new long[3];
            try (PreparedStatement size = c.prepareStatement(
                            "SELECT size FROM fs_fragments WHERE store = ? AND tessera = ? AND idx = ?");
                    PreparedStatement any = c.prepareStatement(
                            "SELECT 1 FROM fs_fragments WHERE store = ? AND tessera = ? LIMIT 1");
                    PreparedStatement p = c.prepareStatement("INSERT OR REPLACE INTO fs_fragments"
                            + " (store, tessera, idx, parity, checksum, size, path, stored_at, last_verified)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)")) {
                for (Row row : rows) {
                    FragmentInfo info = row.info();
                    FragmentId id = info.id();
                    size.setString(1, store);
                    size.setString(2, id.tessera().toHex());
                    size.setInt(3, id.index());
                    Long replaced = null;
                    try (ResultSet rs = size.executeQuery()) {
                        if (rs.next()) {
                            replaced = rs.getLong(1);
                        }
                    }
                    if (replaced == null) {
                        any.setString(1, store);
                        any.setString(2, id.tessera().toHex());
                        try (ResultSet rs = any.executeQuery()) {
                            if (!rs.next()) {
                                delta[0]++;
                            }
                        }
                        delta[1]++;
                        delta[2] += info.size();
                    } else {
                        delta[2] += info.size() - replaced;
                    }
                    p.setString(1, store);
                    p.setString(2, id.tessera().toHex());
                    p.setInt(3, id.index());
                    p.setInt(4, id.parity() ? 1 : 0);
                    p.setString(5, id.checksum().toHex());
                    p.setLong(6, info.size());
                    p.setString(7, row.relativePath());
                    p.setLong(8, info.storedAt().toEpochMilli());
                    p.executeUpdate();
                }
            }
            count(c, delta[0], delta[1], delta[2]);
            return null;
        });
    }

    private void count(Connection c, long tesseras, long fragments, long bytes) throws SQLException {
        StoreCounts.add(c, "fs_store_counts", store, tesseras, fragments, bytes);
    }

    /**
     * Counts the index once (when the store opens) and records the counts that stores and deletes
     * then keep up to date.
     *
     * @return the counts recorded before, if they differed from the index (they never should)
     */
    Optional<StoreStats> recount() {
        return database.write(c -> {
            StoreStats counted;
            try (PreparedStatement p = c.prepareStatement("SELECT count(DISTINCT tessera), count(*),"
                    + " coalesce(sum(size), 0) FROM fs_fragments WHERE store = ?")) {
                p.setString(1, store);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    counted = new StoreStats(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            }
            StoreStats recorded = stats(c);
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT OR REPLACE INTO fs_store_counts (store, tesseras, fragments, bytes) VALUES (?, ?, ?, ?)")) {
                p.setString(1, store);
                p.setLong(2, counted.tesseras());
                p.setLong(3, counted.fragments());
                p.setLong(4, counted.bytes());
                p.executeUpdate();
            }
            return recorded.equals(counted) ? Optional.<StoreStats>empty() : Optional.of(recorded);
        });
    }

    boolean remove(ContentHash tessera, int index) {
        return database.write(c -> {
            Long size = null;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT size FROM fs_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                p.setString(1, store);
                p.setString(2, tessera.toHex());
                p.setInt(3, index);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        size = rs.getLong(1);
                    }
                }
            }
            if (size == null) {
                return false;
            }
            try (PreparedStatement p = c.prepareStatement(
                    "DELETE FROM fs_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                p.setString(1, store);
                p.setString(2, tessera.toHex());
                p.setInt(3, index);
                p.executeUpdate();
            }
            boolean last;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT 1 FROM fs_fragments WHERE store = ? AND tessera = ? LIMIT 1")) {
                p.setString(1, store);
                p.setString(2, tessera.toHex());
                try (ResultSet rs = p.executeQuery()) {
                    last = !rs.next();
                }
            }
            count(c, last ? -1 : 0, -1, -size);
            return true;
        });
    }

    List<FragmentInfo> list(ContentHash tessera) {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + FragmentRows.COLUMNS
                    + " FROM fs_fragments WHERE store = ? AND tessera = ? ORDER BY idx")) {
                p.setString(1, store);
                p.setString(2, tessera.toHex());
                return infos(p);
            }
        });
    }

    List<ContentHash> tesseras() {
        return tesseras(null, Integer.MAX_VALUE);
    }

    /** Up to {@code limit} tesseras after {@code after} (all when null), in hash order: a range of the key. */
    List<ContentHash> tesseras(ContentHash after, int limit) {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement(PAGE)) {
                p.setString(1, store);
                p.setString(2, after == null ? "" : after.toHex());
                p.setInt(3, limit);
                List<ContentHash> result = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        result.add(ContentHash.parse(rs.getString(1)));
                    }
                }
                return result;
            }
        });
    }

    /** The indices recorded for a tessera, for reconciliation with the files on disk. */
    TreeSet<Integer> indices(Connection c, ContentHash tessera) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT idx FROM fs_fragments WHERE store = ? AND tessera = ?")) {
            p.setString(1, store);
            p.setString(2, tessera.toHex());
            TreeSet<Integer> result = new TreeSet<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    result.add(rs.getInt(1));
                }
            }
            return result;
        }
    }

    TreeSet<Integer> indices(ContentHash tessera) {
        return database.read(c -> indices(c, tessera));
    }

    void markVerified(ContentHash tessera, Collection<Integer> indices, Instant when) {
        if (indices.isEmpty()) {
            return;
        }
        database.write(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "UPDATE fs_fragments SET last_verified = ? WHERE store = ? AND tessera = ? AND idx = ?")) {
                for (int index : indices) {
                    p.setLong(1, when.toEpochMilli());
                    p.setString(2, store);
                    p.setString(3, tessera.toHex());
                    p.setInt(4, index);
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    /** The maintained counts: one row by its key, never a scan. */
    StoreStats stats() {
        return database.read(this::stats);
    }

    private StoreStats stats(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(COUNTS)) {
            p.setString(1, store);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? new StoreStats(rs.getLong(1), rs.getLong(2), rs.getLong(3)) : new StoreStats(0, 0, 0);
            }
        }
    }

    /** The counts as a scan of the index finds them, for tests that compare them with {@link #stats()}. */
    StoreStats scan() {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT count(DISTINCT tessera), count(*), coalesce(sum(size), 0) FROM fs_fragments WHERE store = ?")) {
                p.setString(1, store);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return new StoreStats(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            }
        });
    }

    private static List<FragmentInfo> infos(PreparedStatement p) throws SQLException {
        List<FragmentInfo> result = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                result.add(FragmentRows.info(rs));
            }
        }
        return result;
    }

}
