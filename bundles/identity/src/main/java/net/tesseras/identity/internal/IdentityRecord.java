package net.tesseras.identity.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import net.tesseras.database.Database;
import net.tesseras.database.Migration;
import net.tesseras.identity.NodeId;

/**
 * The NodeId this node's data was stored under, kept in the node's database.
 *
 * <p>Why in the database: the key files and {@code data/node.id} can be moved away together, but
 * the data stays behind; the database travels with the fragments it indexes, so it is the record
 * that tells a node which lost its identity apart from a node that never had one.
 */
final class IdentityRecord {

    static final String SCHEMA = "node.identity";

    private static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "the NodeId this node's data belongs to",
            "CREATE TABLE node_identity (id INTEGER PRIMARY KEY CHECK (id = 1), node_id TEXT NOT NULL, recorded_at INTEGER NOT NULL)"));

    private final Database database;

    IdentityRecord(Database database) {
        this.database = database;
        database.migrate(SCHEMA, MIGRATIONS);
    }

    /** The NodeId recorded in this database, if any identity was ever recorded in it. */
    Optional<String> recorded() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT node_id FROM node_identity WHERE id = 1");
                    ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.<String>empty();
            }
        });
    }

    /** Records {@code nodeId} as the identity this database's data belongs to, replacing any other. */
    void record(NodeId nodeId) {
        database.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO node_identity (id, node_id, recorded_at) VALUES (1, ?, ?) "
                            + "ON CONFLICT (id) DO UPDATE SET node_id = excluded.node_id, recorded_at = excluded.recorded_at")) {
                s.setString(1, nodeId.toHex());
                s.setLong(2, System.currentTimeMillis());
                return s.executeUpdate();
            }
        });
    }
}
