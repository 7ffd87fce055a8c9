package net.tesseras.storage.sqlite.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.tesseras.common.internal.StoreCounts;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.common.internal.FragmentChannel;
import net.tesseras.common.internal.FragmentRows;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Database;
import net.tesseras.database.DatabaseException;
import net.tesseras.database.Migration;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentBytes;
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
                    + " UNIQUE (store, tessera, idx))"),
            // Counts for stats(), kept in the transaction of every insert, repair and delete and
            // recounted once when a store opens, so a scrape never scans the table.
            Migration.of(2, "maintained counts of sqlite stores",
                    "CREATE TABLE blob_store_counts ("
                            + " store TEXT PRIMARY KEY,"
                            + " tesseras INTEGER NOT NULL,"
                            + " fragments INTEGER NOT NULL,"
                            + " bytes INTEGER NOT NULL)"));

    // open() reads a large fragment this many bytes at a time, so no Java array holds it whole. The
    // JDBC driver has no incremental blob I/O: each window is one substr() query, for which SQLite
    // loads the whole blob (native memory, page cache), so streaming a fragment of n windows costs
    // about n whole reads (measured: 128 MiB in 8 MiB windows took 3.3 s against 0.5 s for read()).
    // 16 MiB, the cache's largest entry by default: fragments up to it take one query.
    static final int WINDOW = 16 * 1024 * 1024;

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
        SqliteFragmentStore store = new SqliteFragmentStore(name, database, maxFragmentBytes);
        try {
            store.recount();
        } catch (RuntimeException e) {
            // Not a reason to keep the store closed (a full disk at start): the counts kept by each
            // transaction stay as they were, and the next open recounts.
            LOG.warn("sqlite store '{}': could not recount its fragments at open: {}; the counts shown may be off"
                    + " until the next start", name, e.getMessage());
        }
        return store;
    }

    /** Counts the table once and records the counts that stores and deletes then keep up to date. */
    private void recount() {
        StoreStats before = database.write(c -> {
            StoreStats recorded = stats(c);
            StoreStats counted = scan(c);
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT OR REPLACE INTO blob_store_counts (store, tesseras, fragments, bytes) VALUES (?, ?, ?, ?)")) {
                p.setString(1, name);
                p.setLong(2, counted.tesseras());
                p.setLong(3, counted.fragments());
                p.setLong(4, counted.bytes());
                p.executeUpdate();
            }
            return recorded.equals(counted) ? null : recorded;
        });
        if (before != null) {
            LOG.warn("sqlite store '{}': the recorded counts {} did not match its table; recounted them as {}", name,
                    before, stats());
        }
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        byte[] bytes = verified(id, data);
        try {
            return database.write(c -> storeIn(c, id, bytes));
        } catch (DatabaseException e) {
            throw storeFailure(id, e, "");
        }
    }

    /** Checks the size before reading anything, so that a fragment too large for this store is not read into memory. */
    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        checkSize(id, size);
        return FragmentStore.super.store(id, source, size);
    }

    /**
     * Stores a batch in one transaction. Fragments are checked first, in order; at the first one
     * refused (bad checksum, too large, a conflict) the batch is cut: the fragments before it are
     * committed, it and the ones after it are not, and its exception is thrown. When the transaction
     * itself fails (a full disk), none of the batch is stored.
     */
    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        List<byte[]> checked = new ArrayList<>();
        RuntimeException[] failure = new RuntimeException[1];
        for (FragmentBytes f : fragments) {
            try {
                checked.add(verified(f.id(), f.data()));
            } catch (RuntimeException e) {
                failure[0] = e;
                break;
            }
        }
        List<FragmentInfo> stored;
        try {
            stored = database.write(c -> {
                List<FragmentInfo> infos = new ArrayList<>();
                for (int i = 0; i < checked.size(); i++) {
                    try {
                        infos.add(storeIn(c, fragments.get(i).id(), checked.get(i)));
                    } catch (FragmentConflictException e) {
                        failure[0] = e; // a refusal, not an SQL failure: what came before commits
                        break;
                    }
                }
                return infos;
            });
        } catch (DatabaseException e) {
            FragmentId first = fragments.get(0).id();
            throw storeFailure(first, e, " and the " + (checked.size() - 1) + " fragment(s) after it in its batch; none of"
                    + " them was stored");
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return stored;
    }

    /** The protocol's limit, then this store's own (max.fragment.mb). */
    private void checkSize(FragmentId id, long size) {
        FragmentStore.checkSize(id, size);
        if (size > maxFragmentBytes) {
            throw new FragmentStoreException("fragment " + id.index() + " of tessera " + id.tessera() + " has "
                    + size + " bytes, more than the " + maxFragmentBytes + " the sqlite store '" + name
                    + "' takes (max.fragment.mb); large fragments belong in an fs store");
        }
    }

    /** The fragment's bytes as an array, once they passed the size and checksum checks. */
    private byte[] verified(FragmentId id, ByteBuffer data) {
        checkSize(id, data.remaining());
        ContentHash actual = Blake3Hashing.hash(data);
        if (!actual.equals(id.checksum())) {
            throw new ChecksumMismatchException(id, actual);
        }
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        return bytes;
    }

    /** Stores verified bytes in the caller's transaction, keeping the counts. */
    private FragmentInfo storeIn(Connection c, FragmentId id, byte[] bytes) throws SQLException {
        Optional<FragmentInfo> held = find(c, id.tessera(), id.index());
        if (held.isPresent()) {
            if (!held.get().id().checksum().equals(id.checksum())) {
                throw new FragmentConflictException(id, held.get().id().checksum());
            }
            repairIfDamaged(c, held.get(), bytes);
            return held.get();
        }
        boolean newTessera = !holdsAny(c, id.tessera());
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
        count(c, newTessera ? 1 : 0, 1, bytes.length);
        return info;
    }

    private RuntimeException storeFailure(FragmentId id, DatabaseException e, String batch) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("sqlite_full") || message.contains("disk is full")) {
            return new InsufficientStorageException("no space left to store fragment " + id.index() + " of tessera "
                    + id.tessera() + batch + " in the database of sqlite store '" + name + "'", e);
        }
        return new FragmentStoreException("cannot store fragment " + id.index() + " of tessera " + id.tessera() + batch
                + " in sqlite store '" + name + "': " + e.getMessage(), e);
    }

    private boolean holdsAny(Connection c, ContentHash tessera) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT 1 FROM blob_fragments WHERE store = ? AND tessera = ? LIMIT 1")) {
            p.setString(1, name);
            p.setString(2, tessera.toHex());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void count(Connection c, long tesseras, long fragments, long bytes) throws SQLException {
        StoreCounts.add(c, "blob_store_counts", name, tesseras, fragments, bytes);
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

    /**
     * Opens a fragment for streaming and range reads. Its bytes are fetched a window at a time
     * ({@value #WINDOW} bytes at most), so no Java array holds a large fragment whole; the length is
     * checked at once, the checksum when the fragment is read sequentially to its end.
     */
    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        Optional<FragmentInfo> row = database.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + FragmentRows.COLUMNS + ", length(data)"
                    + " FROM blob_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                bindKey(p, tessera, index);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    FragmentInfo info = FragmentRows.info(rs);
                    long length = rs.getLong(rs.getMetaData().getColumnCount());
                    if (length != info.size()) {
                        throw new FragmentStoreException(damagedMessage(info.id(),
                                "are " + length + " bytes long but the index records " + info.size()));
                    }
                    return Optional.of(info);
                }
            }
        });
        return row.map(BlobChannel::new);
    }

    /** A fragment's blob read through substr() windows. */
    private final class BlobChannel extends FragmentChannel {
        private final FragmentInfo info;
        private ByteBuffer window = ByteBuffer.allocate(0);
        private long windowStart;

        BlobChannel(FragmentInfo info) {
            super("fragment " + info.id().index() + " of tessera " + info.id().tessera() + " in sqlite store '" + name
                    + "'", info.size(), info.id().checksum());
            this.info = info;
        }

        @Override
        protected int readAt(ByteBuffer dst, long position) throws IOException {
            if (position < windowStart || position >= windowStart + window.limit()) {
                fetch(position);
            }
            int offset = (int) (position - windowStart);
            int n = Math.min(dst.remaining(), window.limit() - offset);
            dst.put(window.slice(offset, n));
            return n;
        }

        private void fetch(long position) throws IOException {
            int length = (int) Math.min(WINDOW, info.size() - position);
            byte[] bytes;
            try {
                bytes = database.read(c -> {
                    try (PreparedStatement p = c.prepareStatement("SELECT substr(data, ?, ?) FROM blob_fragments"
                            + " WHERE store = ? AND tessera = ? AND idx = ? AND checksum = ?")) {
                        p.setLong(1, position + 1);
                        p.setInt(2, length);
                        p.setString(3, name);
                        p.setString(4, info.id().tessera().toHex());
                        p.setInt(5, info.id().index());
                        p.setString(6, info.id().checksum().toHex());
                        try (ResultSet rs = p.executeQuery()) {
                            return rs.next() ? rs.getBytes(1) : null;
                        }
                    }
                });
            } catch (RuntimeException e) {
                throw new IOException("cannot read fragment " + info.id().index() + " of tessera " + info.id().tessera()
                        + " from sqlite store '" + name + "': " + e.getMessage(), e);
            }
            if (bytes == null) {
                throw new IOException("fragment " + info.id().index() + " of tessera " + info.id().tessera()
                        + " was deleted from sqlite store '" + name + "' while being read; open it again");
            }
            if (bytes.length != length) {
                throw new IOException(damagedMessage(info.id(), "ended after " + (position + bytes.length) + " of "
                        + info.size() + " bytes"));
            }
            window = ByteBuffer.wrap(bytes);
            windowStart = position;
        }

        @Override
        protected void closeSource() {
            window = ByteBuffer.allocate(0);
        }
    }

    private String damagedMessage(FragmentId id, String damage) {
        return "fragment " + id.index() + " of tessera " + id.tessera() + " in sqlite store '" + name
                + "' is damaged: its stored bytes " + damage + "; they were not served. Storing the fragment again"
                + " (from a peer or the original) repairs it; tesseras:verify lists damaged fragments";
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
        count(c, 0, 0, verified.length - size);
        LOG.warn("sqlite store '{}': repaired fragment {} of tessera {}: its stored bytes {}; rewrote them from verified"
                + " bytes", name, id.index(), id.tessera(), damage);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        return database.write(c -> {
            Long size = null;
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT size FROM blob_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                bindKey(p, tessera, index);
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
                    "DELETE FROM blob_fragments WHERE store = ? AND tessera = ? AND idx = ?")) {
                bindKey(p, tessera, index);
                p.executeUpdate();
            }
            count(c, holdsAny(c, tessera) ? 0 : -1, -1, -size);
            return true;
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
        return page(null, Integer.MAX_VALUE);
    }

    @Override
    public List<ContentHash> tesseras(ContentHash after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a page holds at least one tessera, not " + limit);
        }
        return page(after, limit);
    }

    private List<ContentHash> page(ContentHash after, int limit) {
        return database.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT tessera FROM blob_fragments"
                    + " WHERE store = ? AND tessera > ? ORDER BY tessera LIMIT ?")) {
                p.setString(1, name);
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

    /** The maintained counts: one row by its key, never a scan. */
    @Override
    public StoreStats stats() {
        return database.read(this::stats);
    }

    private StoreStats stats(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT tesseras, fragments, bytes FROM blob_store_counts WHERE store = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? new StoreStats(rs.getLong(1), rs.getLong(2), rs.getLong(3)) : new StoreStats(0, 0, 0);
            }
        }
    }

    private StoreStats scan(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT count(DISTINCT tessera), count(*), coalesce(sum(size), 0)"
                + " FROM blob_fragments WHERE store = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return new StoreStats(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
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
