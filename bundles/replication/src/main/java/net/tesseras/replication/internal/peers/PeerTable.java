package net.tesseras.replication.internal.peers;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.tesseras.database.Database;
import net.tesseras.database.Migration;
import net.tesseras.identity.NodeId;

/**
 * The peer table in the node's SQLite database (schema {@value #SCHEMA}): one row per peer with
 * its key and nonce (so its NodeId can be re-derived and its signatures checked), addresses,
 * capabilities, its own institutional claim, when it was first and last seen, and how many
 * requests to it failed in a row.
 *
 * <p>Each change is read, merged and written in one write transaction, so concurrent writers
 * never lose each other's updates.
 */
public final class PeerTable {

    static final String SCHEMA = "replication.peers";

    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "the peers this node knows",
            """
            CREATE TABLE peers (
                node_id TEXT PRIMARY KEY NOT NULL CHECK (length(node_id) = 40),
                public_key BLOB NOT NULL CHECK (length(public_key) = 32),
                nonce INTEGER NOT NULL,
                addresses TEXT NOT NULL,
                capabilities TEXT NOT NULL,
                claims_institutional INTEGER NOT NULL CHECK (claims_institutional IN (0, 1)),
                first_seen INTEGER NOT NULL,
                last_seen INTEGER,
                failures INTEGER NOT NULL CHECK (failures >= 0)
            ) WITHOUT ROWID
            """));

    /**
     * A row.
     *
     * @param addresses most recently working first
     * @param claimsInstitutional what the peer itself last said (never what a third party said)
     * @param lastSeen when it last answered this node or sent it a request; null for a peer only
     *        heard of from others
     */
    public record Row(NodeId nodeId, byte[] publicKey, long nonce, List<InetSocketAddress> addresses, List<String> capabilities,
            boolean claimsInstitutional, Instant firstSeen, Instant lastSeen, int failures) {

        public Row {
            Objects.requireNonNull(nodeId, "nodeId");
            publicKey = publicKey.clone();
            addresses = List.copyOf(addresses);
            capabilities = List.copyOf(capabilities);
            Objects.requireNonNull(firstSeen, "firstSeen");
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row other && nodeId.equals(other.nodeId) && Arrays.equals(publicKey, other.publicKey)
                    && nonce == other.nonce && addresses.equals(other.addresses) && capabilities.equals(other.capabilities)
                    && claimsInstitutional == other.claimsInstitutional && firstSeen.equals(other.firstSeen)
                    && Objects.equals(lastSeen, other.lastSeen) && failures == other.failures;
        }

        @Override
        public int hashCode() {
            return nodeId.hashCode();
        }
    }

    private static final String COLUMNS =
            "node_id, public_key, nonce, addresses, capabilities, claims_institutional, first_seen, last_seen, failures";

    private final Database database;

    /** Opens the table, creating or migrating it. */
    public PeerTable(Database database) {
        this.database = Objects.requireNonNull(database, "database");
        database.migrate(SCHEMA, MIGRATIONS);
    }

    public Optional<Row> find(NodeId nodeId) {
        return database.read(c -> find(c, nodeId));
    }

    /** Every row, in NodeId order. */
    public List<Row> all() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM peers ORDER BY node_id")) {
                return rows(s);
            }
        });
    }

    /**
     * Records what a peer said about itself, first hand (it was authenticated as {@code nodeId}):
     * its key, nonce and claim replace the old ones, its {@code addresses} go first (older ones
     * follow, up to {@value SocketAddresses#MAX_KEPT}), {@code capabilities} replace the old ones
     * unless null, last seen becomes {@code at}; first seen and failures are kept.
     *
     * @return the row as stored
     */
    public Row upsertFirstHand(NodeId nodeId, PeerDescription description, List<InetSocketAddress> addresses,
            Collection<String> capabilities, Instant at) {
        checkDerives(nodeId, description);
        return database.write(c -> {
            Optional<Row> old = find(c, nodeId);
            Row row = new Row(nodeId, description.publicKey(), description.nonce(),
                    SocketAddresses.merge(addresses, old.map(Row::addresses).orElse(List.of())),
                    capabilities != null ? List.copyOf(capabilities) : old.map(Row::capabilities).orElse(List.of()),
                    description.institutional(), old.map(Row::firstSeen).orElse(at), at, old.map(Row::failures).orElse(0));
            write(c, row);
            return row;
        });
    }

    /**
     * Records a peer another node told us about: a new peer gets a row (never seen, no claim); a
     * known one only gains the addresses it did not have, after its own (a third party's word never
     * displaces an address the peer itself gave or answered at).
     *
     * @return the row as stored
     */
    public Row upsertHearsay(NodeId nodeId, PeerDescription description, List<InetSocketAddress> addresses, Instant at) {
        checkDerives(nodeId, description);
        return database.write(c -> {
            Optional<Row> old = find(c, nodeId);
            Row row = old.map(known -> new Row(nodeId, known.publicKey(), known.nonce(),
                            SocketAddresses.merge(known.addresses(), addresses), known.capabilities(),
                            known.claimsInstitutional(), known.firstSeen(), known.lastSeen(), known.failures()))
                    .orElseGet(() -> new Row(nodeId, description.publicKey(), description.nonce(),
                            SocketAddresses.merge(addresses, List.of()), List.of(), false, at, null, 0));
            if (!row.equals(old.orElse(null))) {
                write(c, row);
            }
            return row;
        });
    }

    /**
     * Puts {@code address} first: the peer answered there just now.
     *
     * @return the row as stored, empty for an unknown peer
     */
    public Optional<Row> workedAt(NodeId nodeId, InetSocketAddress address) {
        return database.write(c -> {
            Optional<Row> old = find(c, nodeId);
            if (old.isEmpty()) {
                return old;
            }
            Row known = old.get();
            Row row = new Row(nodeId, known.publicKey(), known.nonce(), SocketAddresses.merge(List.of(address), known.addresses()),
                    known.capabilities(), known.claimsInstitutional(), known.firstSeen(), known.lastSeen(), known.failures());
            write(c, row);
            return Optional.of(row);
        });
    }

    /**
     * How a request to the peer went: an answer resets its failures and sets last seen, none adds
     * one failure.
     *
     * @return the row as stored, empty for an unknown peer
     */
    public Optional<Row> contacted(NodeId nodeId, boolean answered, Instant at) {
        return database.write(c -> {
            String sql = answered ? "UPDATE peers SET failures = 0, last_seen = ? WHERE node_id = ?"
                    : "UPDATE peers SET failures = failures + 1 WHERE node_id = ?";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = 1;
                if (answered) {
                    s.setLong(i++, at.toEpochMilli());
                }
                s.setString(i, nodeId.toHex());
                s.executeUpdate();
            }
            return find(c, nodeId);
        });
    }

    /** Removes a peer (to make room for another); false when it was not there. */
    public boolean delete(NodeId nodeId) {
        return database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM peers WHERE node_id = ?")) {
                s.setString(1, nodeId.toHex());
                return s.executeUpdate() == 1;
            }
        });
    }

    private static void checkDerives(NodeId nodeId, PeerDescription description) {
        if (!description.nodeId().map(nodeId::equals).orElse(false)) {
            throw new IllegalArgumentException("the key and nonce of " + description + " do not derive NodeId " + nodeId);
        }
    }

    private static Optional<Row> find(Connection c, NodeId nodeId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM peers WHERE node_id = ?")) {
            s.setString(1, nodeId.toHex());
            List<Row> rows = rows(s);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        }
    }

    private static void write(Connection c, Row row) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT OR REPLACE INTO peers (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, row.nodeId().toHex());
            s.setBytes(2, row.publicKey());
            s.setLong(3, row.nonce());
            s.setString(4, SocketAddresses.formatList(row.addresses()));
            s.setString(5, String.join(" ", row.capabilities()));
            s.setInt(6, row.claimsInstitutional() ? 1 : 0);
            s.setLong(7, row.firstSeen().toEpochMilli());
            if (row.lastSeen() == null) {
                s.setNull(8, Types.INTEGER);
            } else {
                s.setLong(8, row.lastSeen().toEpochMilli());
            }
            s.setInt(9, row.failures());
            s.executeUpdate();
        }
    }

    private static List<Row> rows(PreparedStatement s) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                String capabilities = r.getString(5);
                long lastSeen = r.getLong(8);
                Instant last = r.wasNull() ? null : Instant.ofEpochMilli(lastSeen);
                rows.add(new Row(NodeId.parse(r.getString(1)), r.getBytes(2), r.getLong(3), SocketAddresses.parseList(r.getString(4)),
                        capabilities.isEmpty() ? List.of() : List.of(capabilities.split(" ")), r.getInt(6) == 1,
                        Instant.ofEpochMilli(r.getLong(7)), last, r.getInt(9)));
            }
        }
        return rows;
    }
}
