package net.tesseras.replication.internal.placement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import net.tesseras.core.ContentHash;
import net.tesseras.database.Database;
import net.tesseras.database.Migration;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus.Proof;

/**
 * The {@link PlacementBook} in the node's SQLite database (schema {@value #SCHEMA}): one row per
 * fragment placed on a peer, and the time of each tessera's last repair. Times are epoch
 * milliseconds. Thread safe: the {@link Database} serialises writers.
 */
public final class SqlitePlacementBook implements PlacementBook {

    public static final String SCHEMA = "replication.placement";

    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "which fragment of which tessera is placed on which peer",
            """
            CREATE TABLE placements (
                tessera TEXT NOT NULL CHECK (length(tessera) = 64),
                fragment INTEGER NOT NULL CHECK (fragment >= 0),
                peer TEXT NOT NULL CHECK (length(peer) = 40),
                state TEXT NOT NULL CHECK (state IN ('pending', 'acked', 'lost')),
                attempts INTEGER NOT NULL,
                next_attempt INTEGER NOT NULL,
                last_proof INTEGER,
                proof TEXT NOT NULL CHECK (proof IN ('none', 'passed', 'failed', 'unreachable')),
                live INTEGER NOT NULL CHECK (live IN (0, 1)),
                detail TEXT NOT NULL,
                PRIMARY KEY (tessera, fragment, peer)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX placements_due ON placements (state, next_attempt)",
            """
            CREATE TABLE placement_repairs (
                tessera TEXT PRIMARY KEY NOT NULL CHECK (length(tessera) = 64),
                repaired_at INTEGER NOT NULL
            ) WITHOUT ROWID
            """));

    private static final String COLUMNS = "tessera, fragment, peer, state, attempts, next_attempt, last_proof, proof, live, detail";

    private final Database database;

    /** Opens the book, creating or migrating its tables. */
    public SqlitePlacementBook(Database database) {
        this.database = database;
        database.migrate(SCHEMA, MIGRATIONS);
    }

    @Override
    public List<ContentHash> tesseras() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT tessera FROM placements ORDER BY tessera");
                    ResultSet rs = s.executeQuery()) {
                List<ContentHash> hashes = new ArrayList<>();
                while (rs.next()) {
                    hashes.add(ContentHash.parse(rs.getString(1)));
                }
                return hashes;
            }
        });
    }

    @Override
    public List<Placement> of(ContentHash tessera) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM placements WHERE tessera = ?"
                    + " ORDER BY fragment, peer")) {
                s.setString(1, tessera.toHex());
                return rows(s);
            }
        });
    }

    @Override
    public List<Placement> due(Instant now, int limit) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM placements WHERE state = 'pending'"
                    + " AND next_attempt <= ? ORDER BY next_attempt, tessera, fragment, peer LIMIT ?")) {
                s.setLong(1, now.toEpochMilli());
                s.setInt(2, limit);
                return rows(s);
            }
        });
    }

    /** New rows are PENDING; an existing PENDING or ACKED row is kept; a LOST one is planned afresh (PENDING, 0 attempts). */
    @Override
    public void plan(ContentHash tessera, Collection<Placement> placements) {
        database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO placements (" + COLUMNS + ")"
                    + " VALUES (?, ?, ?, 'pending', 0, ?, NULL, 'none', 0, '')"
                    + " ON CONFLICT (tessera, fragment, peer) DO UPDATE SET state = 'pending', attempts = 0,"
                    + " next_attempt = excluded.next_attempt, last_proof = NULL, proof = 'none', live = 0, detail = ''"
                    + " WHERE state = 'lost'")) {
                for (Placement p : placements) {
                    if (!p.tessera().equals(tessera)) {
                        throw new IllegalArgumentException("a placement of tessera " + p.tessera() + " was planned under " + tessera);
                    }
                    s.setString(1, tessera.toHex());
                    s.setInt(2, p.index());
                    s.setString(3, p.peer().toHex());
                    s.setLong(4, p.nextAttempt().toEpochMilli());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void acked(ContentHash tessera, int index, NodeId peer, Instant at) {
        update("UPDATE placements SET state = 'acked', detail = '', next_attempt = ? WHERE tessera = ? AND fragment = ? AND peer = ?",
                at.toEpochMilli(), tessera.toHex(), index, peer.toHex());
    }

    @Override
    public void failed(ContentHash tessera, int index, NodeId peer, String reason, Instant retryAt, boolean giveUp) {
        update("UPDATE placements SET attempts = attempts + 1, next_attempt = ?, detail = ?, state = ?"
                + " WHERE tessera = ? AND fragment = ? AND peer = ? AND state = 'pending'",
                retryAt.toEpochMilli(), reason, giveUp ? "lost" : "pending", tessera.toHex(), index, peer.toHex());
    }

    @Override
    public void proved(ContentHash tessera, NodeId peer, Set<Integer> live, Proof outcome, String detail, Instant at) {
        boolean conclusive = outcome == Proof.PASSED || outcome == Proof.FAILED;
        database.write(c -> {
            List<Placement> acked = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM placements WHERE tessera = ? AND peer = ?"
                    + " AND state = 'acked'")) {
                s.setString(1, tessera.toHex());
                s.setString(2, peer.toHex());
                acked.addAll(rows(s));
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE placements SET last_proof = ?, proof = ?, live = ?, detail = ?,"
                    + " state = ? WHERE tessera = ? AND fragment = ? AND peer = ?")) {
                for (Placement p : acked) {
                    boolean isLive = live.contains(p.index());
                    s.setLong(1, at.toEpochMilli());
                    s.setString(2, sql(outcome));
                    s.setInt(3, isLive ? 1 : 0);
                    s.setString(4, detail);
                    s.setString(5, !isLive && conclusive ? "lost" : "acked");
                    s.setString(6, tessera.toHex());
                    s.setInt(7, p.index());
                    s.setString(8, peer.toHex());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void lost(ContentHash tessera, int index, NodeId peer, String reason) {
        update("UPDATE placements SET state = 'lost', live = 0, detail = ? WHERE tessera = ? AND fragment = ? AND peer = ?",
                reason, tessera.toHex(), index, peer.toHex());
    }

    @Override
    public void repaired(ContentHash tessera, Instant at) {
        update("INSERT INTO placement_repairs (tessera, repaired_at) VALUES (?, ?)"
                + " ON CONFLICT (tessera) DO UPDATE SET repaired_at = excluded.repaired_at", tessera.toHex(), at.toEpochMilli());
    }

    @Override
    public Optional<Instant> lastRepair(ContentHash tessera) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT repaired_at FROM placement_repairs WHERE tessera = ?")) {
                s.setString(1, tessera.toHex());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(Instant.ofEpochMilli(rs.getLong(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void forget(ContentHash tessera) {
        database.write(c -> {
            execute(c, "DELETE FROM placements WHERE tessera = ?", tessera.toHex());
            execute(c, "DELETE FROM placement_repairs WHERE tessera = ?", tessera.toHex());
            return null;
        });
    }

    /** Placements waiting for a transfer or a retry, in all (for the pending-placements gauge). */
    public long pendingCount() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM placements WHERE state = 'pending'");
                    java.sql.ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : 0L;
            }
        });
    }

    private void update(String sql, Object... values) {
        database.write(c -> execute(c, sql, values));
    }

    private static int execute(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            return s.executeUpdate();
        }
    }

    private static List<Placement> rows(PreparedStatement s) throws SQLException {
        List<Placement> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                long lastProof = rs.getLong(7);
                Optional<Instant> proofAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastProof));
                rows.add(new Placement(ContentHash.parse(rs.getString(1)), rs.getInt(2), NodeId.parse(rs.getString(3)),
                        State.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)), rs.getInt(5), Instant.ofEpochMilli(rs.getLong(6)),
                        proofAt, Proof.valueOf(rs.getString(8).toUpperCase(Locale.ROOT)), rs.getInt(9) == 1, rs.getString(10)));
            }
        }
        return rows;
    }

    private static String sql(Proof proof) {
        return proof.name().toLowerCase(Locale.ROOT);
    }
}
