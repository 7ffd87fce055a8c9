package net.tesseras.replication.internal.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import net.tesseras.database.Database;
import net.tesseras.database.Migration;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.LedgerEntry;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;

/**
 * The reciprocity ledger in the node's SQLite database (schema {@value #SCHEMA}): one row per
 * authenticated NodeId with the bytes this node stores for it and the bytes it stores for this
 * node. Increments are single UPSERT statements, so concurrent recordings all count.
 *
 * <p>A peer is refused when storing more for it would leave it more than the deficit limit in
 * deficit (balance = theyStoreForUs - storedForThem; refused when {@code balance - additional <
 * -limit}, strict as in the original), unless it is on the operator's institutional list. A peer's
 * own claim to be institutional does not count here: it would let anyone take without giving.
 */
public final class SqliteLedger implements Ledger {

    static final String SCHEMA = "replication.ledger";

    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "what this node and each peer store for each other",
            """
            CREATE TABLE ledger (
                peer TEXT PRIMARY KEY NOT NULL CHECK (length(peer) = 40),
                stored_for_them INTEGER NOT NULL CHECK (stored_for_them >= 0),
                they_store_for_us INTEGER NOT NULL CHECK (they_store_for_us >= 0),
                last_updated INTEGER NOT NULL
            ) WITHOUT ROWID
            """));

    /** The deficit limit by default: 256 MiB, the original's. */
    public static final long DEFAULT_DEFICIT_LIMIT_BYTES = 256L << 20;

    /** Where the operator sets the limit, named in every refusal. */
    public static final String LIMIT_KEY = "ledger.deficit.limit.mb";
    static final String CONFIG_FILE = "etc/net.tesseras.replication.cfg";

    private final Database database;
    private final Clock clock;
    private volatile long deficitLimitBytes;
    private volatile Set<NodeId> institutional;

    /**
     * @param deficitLimitBytes how far in deficit a peer may go (at least 0)
     * @param institutional the operator's institutional NodeIds, never refused
     */
    public SqliteLedger(Database database, Clock clock, long deficitLimitBytes, Set<NodeId> institutional) {
        this.database = Objects.requireNonNull(database, "database");
        this.clock = Objects.requireNonNull(clock, "clock");
        setDeficitLimit(deficitLimitBytes);
        setInstitutional(institutional);
        database.migrate(SCHEMA, MIGRATIONS);
    }

    /** Changes the deficit limit (live configuration). */
    public void setDeficitLimit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(LIMIT_KEY + " must not be negative, got " + bytes + " bytes");
        }
        this.deficitLimitBytes = bytes;
    }

    public long deficitLimit() {
        return deficitLimitBytes;
    }

    /** Replaces the operator's institutional list (live configuration). */
    public void setInstitutional(Set<NodeId> institutional) {
        this.institutional = Set.copyOf(institutional);
    }

    @Override
    public LedgerEntry entry(NodeId peer) {
        Objects.requireNonNull(peer, "peer");
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT peer, stored_for_them, they_store_for_us, last_updated FROM ledger WHERE peer = ?")) {
                s.setString(1, peer.toHex());
                return rows(s).stream().findFirst();
            }
        }).orElseGet(() -> new LedgerEntry(peer, 0, 0, institutional(peer), Instant.EPOCH));
    }

    @Override
    public List<LedgerEntry> entries() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT peer, stored_for_them, they_store_for_us, last_updated FROM ledger ORDER BY peer")) {
                return rows(s);
            }
        });
    }

    @Override
    public boolean institutional(NodeId peer) {
        return institutional.contains(peer);
    }

    @Override
    public void checkCredit(NodeId peer, long additionalBytes) {
        if (additionalBytes < 0) {
            throw new IllegalArgumentException("additional bytes must not be negative, got " + additionalBytes);
        }
        if (institutional(peer)) {
            return;
        }
        long limit = deficitLimitBytes;
        LedgerEntry entry = entry(peer);
        long balance = entry.balance();
        // balance - additional < -limit, written so that no value of either side can overflow.
        if (balance < additionalBytes - limit) {
            throw new PeerException(ErrorCode.FORBIDDEN, "peer " + peer + " has a balance of " + balance
                    + " bytes with this node (it stores " + entry.theyStoreForUs() + " bytes for this node, this node "
                    + entry.storedForThem() + " for it); storing " + additionalBytes + " bytes more would put it more than the"
                    + " deficit limit of " + limit + " bytes in deficit. The peer must store more for this node first, or this"
                    + " node's operator may raise " + LIMIT_KEY + " or list the peer as institutional in " + CONFIG_FILE);
        }
    }

    @Override
    public void storedForPeer(NodeId peer, long bytes) {
        add(peer, bytes, 0);
    }

    @Override
    public void peerStoresForUs(NodeId peer, long bytes) {
        add(peer, 0, bytes);
    }

    private void add(NodeId peer, long storedForThem, long theyStoreForUs) {
        Objects.requireNonNull(peer, "peer");
        if (storedForThem < 0 || theyStoreForUs < 0) {
            throw new IllegalArgumentException("the ledger only counts bytes stored, never negative amounts; got "
                    + Math.min(storedForThem, theyStoreForUs) + " for peer " + peer);
        }
        long now = clock.millis();
        database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO ledger (peer, stored_for_them, they_store_for_us, last_updated) VALUES (?, ?, ?, ?)
                    ON CONFLICT (peer) DO UPDATE SET
                        stored_for_them = stored_for_them + excluded.stored_for_them,
                        they_store_for_us = they_store_for_us + excluded.they_store_for_us,
                        last_updated = excluded.last_updated
                    """)) {
                s.setString(1, peer.toHex());
                s.setLong(2, storedForThem);
                s.setLong(3, theyStoreForUs);
                s.setLong(4, now);
                return s.executeUpdate();
            }
        });
    }

    private List<LedgerEntry> rows(PreparedStatement s) throws SQLException {
        List<LedgerEntry> entries = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                NodeId peer = NodeId.parse(r.getString(1));
                entries.add(new LedgerEntry(peer, r.getLong(2), r.getLong(3), institutional(peer), Instant.ofEpochMilli(r.getLong(4))));
            }
        }
        return entries;
    }
}
