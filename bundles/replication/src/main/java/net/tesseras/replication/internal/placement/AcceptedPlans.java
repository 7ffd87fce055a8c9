package net.tesseras.replication.internal.placement;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import net.tesseras.core.ContentHash;
import net.tesseras.database.Database;
import net.tesseras.identity.NodeId;
import net.tesseras.database.Migration;
import net.tesseras.replication.internal.PlanSource;
import net.tesseras.tessera.FragmentPlanFormatException;
import net.tesseras.tessera.SignedFragmentPlan;

/**
 * The plans this node accepted to hold fragments of (schema {@value #SCHEMA}): per tessera the
 * signed plan, and per offering peer the fragment indices it may PUT here. The {@link ReceiveGuard}
 * admits PUTs from it; as a {@link PlanSource} it gives attestation, challenges and repair the plans
 * of the fragments this node holds for others. Thread safe.
 */
public final class AcceptedPlans implements PlanSource {

    public static final String SCHEMA = "replication.plans";

    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "the fragment plans this node accepted to hold",
            """
            CREATE TABLE accepted_plans (
                tessera TEXT PRIMARY KEY NOT NULL CHECK (length(tessera) = 64),
                plan BLOB NOT NULL,
                accepted_at INTEGER NOT NULL
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE accepted_fragments (
                tessera TEXT NOT NULL CHECK (length(tessera) = 64),
                sender TEXT NOT NULL CHECK (length(sender) = 40),
                fragment INTEGER NOT NULL CHECK (fragment >= 0),
                accepted_at INTEGER NOT NULL,
                PRIMARY KEY (tessera, sender, fragment)
            ) WITHOUT ROWID
            """));

    private final Database database;
    // Parsed plans: every PUT consults its plan, and parsing and verifying one per PUT would be waste.
    private final ConcurrentHashMap<ContentHash, SignedFragmentPlan> plans = new ConcurrentHashMap<>();

    public AcceptedPlans(Database database) {
        this.database = database;
        database.migrate(SCHEMA, MIGRATIONS);
    }

    /**
     * Records that {@code sender} may store {@code indices} of the plan's tessera here. The first plan
     * accepted for a tessera stays; a caller checks {@link #plan} for a different one first.
     */
    public void accept(SignedFragmentPlan plan, NodeId sender, Collection<Integer> indices, Instant at) {
        String tessera = plan.plan().tessera().toHex();
        database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT OR IGNORE INTO accepted_plans (tessera, plan, accepted_at)"
                    + " VALUES (?, ?, ?)")) {
                s.setString(1, tessera);
                s.setBytes(2, plan.toBytes());
                s.setLong(3, at.toEpochMilli());
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("INSERT OR IGNORE INTO accepted_fragments (tessera, sender, fragment,"
                    + " accepted_at) VALUES (?, ?, ?, ?)")) {
                for (int index : indices) {
                    s.setString(1, tessera);
                    s.setString(2, sender.toHex());
                    s.setInt(3, index);
                    s.setLong(4, at.toEpochMilli());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    /** The accepted plan of the tessera, if any. */
    @Override
    public Optional<SignedFragmentPlan> plan(ContentHash tessera) {
        SignedFragmentPlan cached = plans.get(tessera);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<byte[]> bytes = database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT plan FROM accepted_plans WHERE tessera = ?")) {
                s.setString(1, tessera.toHex());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
                }
            }
        });
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            SignedFragmentPlan plan = SignedFragmentPlan.parse(bytes.get());
            plans.put(tessera, plan);
            return Optional.of(plan);
        } catch (FragmentPlanFormatException e) {
            throw new IllegalStateException("the accepted plan of tessera " + tessera + " in schema " + SCHEMA
                    + " cannot be read back: " + e.getMessage(), e);
        }
    }

    /** Whether {@code sender} had fragment {@code index} of the tessera accepted. */
    public boolean accepted(ContentHash tessera, NodeId sender, int index) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM accepted_fragments WHERE tessera = ? AND sender = ?"
                    + " AND fragment = ?")) {
                s.setString(1, tessera.toHex());
                s.setString(2, sender.toHex());
                s.setInt(3, index);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The indices {@code sender} had accepted for the tessera, ascending. */
    public Set<Integer> acceptedFrom(ContentHash tessera, NodeId sender) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT fragment FROM accepted_fragments WHERE tessera = ? AND sender = ?")) {
                s.setString(1, tessera.toHex());
                s.setString(2, sender.toHex());
                Set<Integer> indices = new TreeSet<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        indices.add(rs.getInt(1));
                    }
                }
                return indices;
            }
        });
    }

    /** The tesseras with an accepted plan, in hash order. */
    public List<ContentHash> tesseras() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT tessera FROM accepted_plans ORDER BY tessera");
                    ResultSet rs = s.executeQuery()) {
                List<ContentHash> hashes = new ArrayList<>();
                while (rs.next()) {
                    hashes.add(ContentHash.parse(rs.getString(1)));
                }
                return hashes;
            }
        });
    }

    /** Forgets the tessera's plan and every acceptance of it (its fragments were deleted here). */
    public void forget(ContentHash tessera) {
        database.write(c -> {
            for (String table : Arrays.asList("accepted_plans", "accepted_fragments")) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE tessera = ?")) {
                    s.setString(1, tessera.toHex());
                    s.executeUpdate();
                }
            }
            return null;
        });
        plans.remove(tessera);
    }
}
