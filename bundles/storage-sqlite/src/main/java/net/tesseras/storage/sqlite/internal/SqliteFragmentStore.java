package net.tesseras.storage.sqlite.internal;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.common.internal.FragmentRows;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Database;
import net.tesseras.database.DatabaseException;
import net.tesseras.database.Migration;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentConflictException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.InsufficientStorageException;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;

/**
 * Fragments kept inside the node's SQLite database: bytes and index in one row, written in one
 * transaction, so a fragment is durable exactly when its commit is (per the database's
 * {@code synchronous} mode). Suits many small fragments; large ones belong in the fs store
 * ({@code max.fragment.mb}).
 */
public final class SqliteFragmentStore implements FragmentStore {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqliteFragmentStore.class);

    static final String SCHEMA = "fragments.sqlite";

    // The blob is the last column so that reading the others never walks its overflow pages.
    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "fragment bytes kept in SQLite",
            "CREATE TABLE blob_fragments ("
                    + " id INTEGER PRIMARY KEY,"
                    + " store TEXT NOT NULL,"
                    + " tessera TEXT NOT NULL CHECK (length(tessera) = 64),"
                    + " idx INTEGER NOT NULL CHECK (idx BETWEEN 0 AND 65535),"
                    + " parity INTEGER NOT NULL CHECK (parity IN (0, 1)),"
                    + " checksum TEXT NOT NULL CHECK (length(checksum) = 64),"
                    + " size INTEGER NOT NULL CHECK (size >= 0),"
                    + " stored_at INTEGER NOT NULL,"
                    + " last_verified INTEGER,"
                    + " data BLOB NOT NULL,"
                    + " UNIQUE (store, tessera, idx))"));

    private final String name;
    private final Database database;
    private final long maxFragmentBytes;

    private SqliteFragmentStore(String name, Database database, long maxFragmentBytes) {
        this.name = name;
        this.database = database;
        this.maxFragmentBytes = maxFragmentBytes;
    }

    /** Opens the store named {@code name}, migrating its schema. */
    public static SqliteFragmentStore open(String name, Database database, long maxFragmentBytes) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a sqlite store needs a name");
        }
        database.migrate(SCHEMA, MIGRATIONS);
        return new SqliteFragmentStore(name, database, maxFragmentBytes);
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        if (data.remaining() > maxFragmentBytes) {
            throw new FragmentStoreException("fragment " + id.index() + " of tessera " + id.tessera() + " has "
                    + data.remaining() + " bytes, more than the " + maxFragmentBytes + " the sqlite store '" + name
                    + "' takes (max.fragment.mb); large fragments belong in an fs store");
        }
        ContentHash actual = Blake3Hashing.hash(data);
        if (!actual.equals(id.checksum())) {
            throw new ChecksumMismatchException(id, actual);
        }
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        try {
            return database.write(c -> {
                Optional<FragmentInfo> held = find(c, id.tessera(), id.index());
                if (held.isPresent()) {
                    if (!held.get().id().checksum().equals(id.checksum())) {
                        throw new FragmentConflictException(id, held.get().id().checksum());
                    }
                    repairIfDamaged(c, held.get(), bytes);
                    return held.get();
                }
                FragmentInfo info = new FragmentInfo(id, bytes.length, Instant.ofEpochMilli(System.currentTimeMillis()),
                        Optional.empty());
                try (PreparedStatement p = c.prepareStatement("INSERT INTO blob_fragments"
                        + " (store, tessera, idx, parity, checksum, size, stored_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    p.setString(1, name);
                    p.setString(2, id.tessera().toHex());
                    p.setInt(3, id.index());
                    p.setInt(4, id.parity() ? 1 : 0);
                    p.setString(5, id.checksum().toHex());
                    p.setLong(6, bytes.length);
                    p.setLong(7, info.storedAt().toEpochMilli());
                    p.setBytes(8, bytes);
                    p.executeUpdate();
                }
                return info;
            });
        } catch (DatabaseException e) {
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("sqlite_full") || message.contains("disk is full")) {
                throw new InsufficientStorageException("no space left to store fragment " + id.index() + " of tessera "
                        + id.tessera() + " in the database of sqlite store '" + name + "'", e);
            }
            throw new FragmentStoreException("cannot store fragment " + id.index() + " of tessera " + id.tessera()
                    + " in sqlite store '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * Reads a fragment, refusing (with a {@link FragmentStoreException}) bytes that no longer hash to
     * the recorded checksum: SQLite keeps no checksums of its pages, so a damaged page would
     * otherwise reach the cache and peers.
     */
    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT checksum, size, data FROM blob_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                bindKey(p, tessera, index);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    ContentHash checksum = ContentHash.parse(rs.getString(1));
                    long size = rs.getLong(2);
                    byte[] bytes = rs.getBytes(3);
                    String damage = damage(checksum, size, bytes);
                    if (damage != null) {
                        throw new FragmentStoreException("fragment " + index + " of tessera " + tessera + " in sqlite store '"
                                + name + "' is damaged: its stored bytes " + damage + "; they were not served. Storing"
                                + " the fragment again (from a peer or the original) repairs it; tesseras:verify lists"
                                + " damaged fragments");
                    }
                    return Optional.of(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
                }
            }
        });
    }

    /** What is wrong with stored bytes, or null if they are the fragment. */
    private static String damage(ContentHash checksum, long size, byte[] bytes) {
        if (bytes == null) {
            return "are missing";
        }
        if (bytes.length != size) {
            return "are " + bytes.length + " bytes long but the index records " + size;
        }
        ContentHash actual = Blake3Hashing.hash(bytes);
        return actual.equals(checksum) ? null : "hash to " + actual + ", not to the checksum " + checksum;
    }

    /** Storing verified bytes over a damaged copy of the same fragment rewrites it (in the caller's transaction). */
    private void repairIfDamaged(Connection c, FragmentInfo held, byte[] verified) throws SQLException {
        FragmentId id = held.id();
        byte[] stored;
        long size;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT size, data FROM blob_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
            bindKey(p, id.tessera(), id.index());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                size = rs.getLong(1);
                stored = rs.getBytes(2);
            }
        }
        String damage = damage(id.checksum(), size, stored);
        if (damage == null) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE blob_fragments SET data = ?, size = ? WHERE store = ? AND tessera = ? AND idx = ?")) {
            p.setBytes(1, verified);
            p.setLong(2, verified.length);
            p.setString(3, name);
            p.setString(4, id.tessera().toHex());
            p.setInt(5, id.index());
            p.executeUpdate();
        }
        LOG.warn("sqlite store '{}': repaired fragment {} of tessera {}: its stored bytes {}; rewrote them from verified"
                + " bytes", name, id.index(), id.tessera(), damage);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        return database.write(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "DELETE FROM blob_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                bindKey(p, tessera, index);
                return p.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT " + FragmentRows.COLUMNS + " FROM blob_fragments WHERE store = ? AND tessera = ? ORDER BY idx")) {
                p.setString(1, name);
                p.setString(2, tessera.toHex());
                List<FragmentInfo> result = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        result.add(FragmentRows.info(rs));
                    }
                }
                return result;
            }
        });
    }

    @Override
    public List<ContentHash> tesseras() {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT DISTINCT tessera FROM blob_fragments WHERE store = ? ORDER BY tessera")) {
                p.setString(1, name);
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

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        List<VerifyResult> results = new ArrayList<>();
        List<Integer> intact = new ArrayList<>();
        for (FragmentInfo info : fragments(tessera)) {
            FragmentId id = info.id();
            Optional<byte[]> bytes = rawBytes(tessera, id.index());
            if (bytes.isEmpty()) {
                results.add(new VerifyResult(id, VerifyResult.Status.MISSING, "deleted while being verified"));
                continue;
            }
            String damage = damage(id.checksum(), info.size(), bytes.get());
            if (damage == null) {
                results.add(new VerifyResult(id, VerifyResult.Status.OK, ""));
                intact.add(id.index());
            } else {
                results.add(new VerifyResult(id, VerifyResult.Status.CORRUPT, "stored bytes " + damage));
            }
        }
        if (!intact.isEmpty()) {
            long now = System.currentTimeMillis();
            database.write(c -> {
                try (PreparedStatement p = c.prepareStatement(
                        "UPDATE blob_fragments SET last_verified = ? WHERE store = ? AND tessera = ? AND idx = ?")) {
                    for (int index : intact) {
                        p.setLong(1, now);
                        p.setString(2, name);
                        p.setString(3, tessera.toHex());
                        p.setInt(4, index);
                        p.addBatch();
                    }
                    return p.executeBatch();
                }
            });
        }
        return results;
    }

    @Override
    public StoreStats stats() {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT count(DISTINCT tessera), count(*), coalesce(sum(size), 0)"
                    + " FROM blob_fragments WHERE store = ?")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return new StoreStats(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            }
        });
    }

    @Override
    public String toString() {
        return "sqlite store '" + name + "' (fragments inside the node's database)";
    }

    private Optional<byte[]> rawBytes(ContentHash tessera, int index) {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT data FROM blob_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                bindKey(p, tessera, index);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    private Optional<FragmentInfo> find(Connection c, ContentHash tessera, int index) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT " + FragmentRows.COLUMNS + " FROM blob_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
            bindKey(p, tessera, index);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(FragmentRows.info(rs)) : Optional.empty();
            }
        }
    }

    private void bindKey(PreparedStatement p, ContentHash tessera, int index) throws SQLException {
        p.setString(1, name);
        p.setString(2, tessera.toHex());
        p.setInt(3, index);
    }

}
