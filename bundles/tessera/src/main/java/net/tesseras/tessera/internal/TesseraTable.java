package net.tesseras.tessera.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.database.Database;
import net.tesseras.database.Migration;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.Tier;

/**
 * The node's record of its tesseras in the shared SQLite database: one row per tessera with its
 * manifest, the manifest's signature and the signed fragment plan.
 *
 * <p>A row goes through states so that creation and deletion are atomic across the store and the
 * database: {@code creating} before the first fragment is stored, {@code complete} once every
 * fragment is, {@code deleting} before the first fragment is removed. A row left in
 * {@code creating} or {@code deleting} by a crash is finished (its fragments removed) at start.
 */
final class TesseraTable {

    static final String SCHEMA = "tessera";

    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "the tesseras created on this node",
            """
            CREATE TABLE tesseras (
                hash TEXT PRIMARY KEY NOT NULL CHECK (length(hash) = 64),
                state TEXT NOT NULL CHECK (state IN ('creating', 'complete', 'deleting')),
                creator TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                files INTEGER NOT NULL,
                size_bytes INTEGER NOT NULL,
                tier TEXT NOT NULL,
                data_shards INTEGER NOT NULL,
                parity_shards INTEGER NOT NULL,
                shard_size INTEGER NOT NULL,
                payload_length INTEGER NOT NULL,
                manifest BLOB NOT NULL,
                manifest_signature BLOB NOT NULL,
                plan BLOB NOT NULL,
                recorded_at INTEGER NOT NULL
            ) WITHOUT ROWID
            """));

    enum State {
        CREATING, COMPLETE, DELETING;

        String sql() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A row: the record, and the bytes it keeps. */
    record Row(TesseraInfo info, State state, byte[] manifest, byte[] manifestSignature, byte[] plan) {}

    private static final String COLUMNS = "hash, state, creator, created_at, files, size_bytes, tier, data_shards,"
            + " parity_shards, shard_size, payload_length, manifest, manifest_signature, plan";

    private final Database database;

    TesseraTable(Database database) {
        this.database = database;
        database.migrate(SCHEMA, MIGRATIONS);
    }

    /** Records a tessera about to be stored; false when a row with this hash exists already. */
    boolean insertCreating(TesseraInfo info, byte[] manifest, byte[] signature, byte[] plan) {
        return insert(info, manifest, signature, plan, State.CREATING);
    }

    /**
     * Records, complete at once, a tessera created elsewhere whose fragments are already stored
     * (adopted after a restore); false when a row with this hash exists already.
     */
    boolean insertComplete(TesseraInfo info, byte[] manifest, byte[] signature, byte[] plan) {
        return insert(info, manifest, signature, plan, State.COMPLETE);
    }

    private boolean insert(TesseraInfo info, byte[] manifest, byte[] signature, byte[] plan, State state) {
        return database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT OR IGNORE INTO tesseras (" + COLUMNS
                    + ", recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, info.hash().toHex());
                s.setString(2, state.sql());
                s.setString(3, info.creator());
                s.setLong(4, info.created().getEpochSecond());
                s.setInt(5, info.files());
                s.setLong(6, info.size());
                s.setString(7, info.tier().name());
                s.setInt(8, info.tier().dataShards());
                s.setInt(9, info.tier().parityShards());
                s.setLong(10, info.shardSize());
                s.setLong(11, info.payloadLength());
                s.setBytes(12, manifest);
                s.setBytes(13, signature);
                s.setBytes(14, plan);
                s.setLong(15, System.currentTimeMillis());
                return s.executeUpdate() == 1;
            }
        });
    }

    /** Moves a row from one state to another; false when it was not in the expected state. */
    boolean transition(ContentHash hash, State from, State to) {
        return database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tesseras SET state = ? WHERE hash = ? AND state = ?")) {
                s.setString(1, to.sql());
                s.setString(2, hash.toHex());
                s.setString(3, from.sql());
                return s.executeUpdate() == 1;
            }
        });
    }

    /** Removes a row that is not complete (a creation undone or a deletion finished). */
    void remove(ContentHash hash) {
        database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM tesseras WHERE hash = ? AND state <> 'complete'")) {
                s.setString(1, hash.toHex());
                return s.executeUpdate();
            }
        });
    }

    Optional<Row> find(ContentHash hash) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM tesseras WHERE hash = ?")) {
                s.setString(1, hash.toHex());
                List<Row> rows = rows(s);
                return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
            }
        });
    }

    /** Complete tesseras in hash order after {@code after} (null: from the first). */
    List<TesseraInfo> list(ContentHash after, int limit) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM tesseras WHERE state = 'complete' AND hash > ? ORDER BY hash LIMIT ?")) {
                s.setString(1, after == null ? "" : after.toHex());
                s.setInt(2, limit);
                return rows(s).stream().map(Row::info).toList();
            }
        });
    }

    /** Complete tesseras whose hex hash starts with {@code prefix} (lowercase hex), at most {@code limit}. */
    List<TesseraInfo> withPrefix(String prefix, int limit) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM tesseras WHERE state = 'complete' AND substr(hash, 1, ?) = ? ORDER BY hash LIMIT ?")) {
                s.setInt(1, prefix.length());
                s.setString(2, prefix);
                s.setInt(3, limit);
                return rows(s).stream().map(Row::info).toList();
            }
        });
    }

    /** Rows a crash left half-created or half-deleted. */
    List<Row> unfinished() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM tesseras WHERE state <> 'complete' ORDER BY hash")) {
                return rows(s);
            }
        });
    }

    private static List<Row> rows(PreparedStatement s) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                Tier tier = Tier.valueOf(r.getString(7));
                TesseraInfo info = new TesseraInfo(ContentHash.parse(r.getString(1)), r.getString(3),
                        Instant.ofEpochSecond(r.getLong(4)), r.getInt(5), r.getLong(6), tier, r.getLong(11),
                        r.getLong(10));
                rows.add(new Row(info, State.valueOf(r.getString(2).toUpperCase(Locale.ROOT)), r.getBytes(12),
                        r.getBytes(13), r.getBytes(14)));
            }
        }
        return rows;
    }
}
