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
                            + " created_at INTEGER NOT NULL)"));

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
        database.write(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT OR REPLACE INTO fs_fragments"
                    + " (store, tessera, idx, parity, checksum, size, path, stored_at, last_verified)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)")) {
                FragmentId id = info.id();
                p.setString(1, store);
                p.setString(2, id.tessera().toHex());
                p.setInt(3, id.index());
                p.setInt(4, id.parity() ? 1 : 0);
                p.setString(5, id.checksum().toHex());
                p.setLong(6, info.size());
                p.setString(7, relativePath);
                p.setLong(8, info.storedAt().toEpochMilli());
                return p.executeUpdate();
            }
        });
    }

    boolean remove(ContentHash tessera, int index) {
        return database.write(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "DELETE FROM fs_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                p.setString(1, store);
                p.setString(2, tessera.toHex());
                p.setInt(3, index);
                return p.executeUpdate() > 0;
            }
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
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT DISTINCT tessera FROM fs_fragments WHERE store = ? ORDER BY tessera")) {
                p.setString(1, store);
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

    StoreStats stats() {
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
