package net.tesseras.replication.internal.placement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Database;
import net.tesseras.database.Migration;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.internal.PlanSource;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.FragmentPlanFormatException;
import net.tesseras.tessera.SignedFragmentPlan;

/**
 * The plan offers this node accepted (schema {@value #SCHEMA}): per offering peer and tessera the
 * signed plan it offered and the fragment indices it may PUT here, and whether each arrived.
 *
 * <p>A tessera is not bound to the first plan offered for it: anyone who learns a tessera's hash can
 * sign a plan for it with their own key, so each sender's plan is kept apart, a sender's PUTs are
 * checked against the plan that sender offered, and {@link #plan} (what GET_PLAN, attestation and
 * repair see) answers with the plan the fragments held here actually match. Two plans whose
 * fragments differ at one index cannot both be held: the store keeps one fragment per index and
 * refuses other bytes under it (CONFLICT).
 *
 * <p>An accepted fragment that has not arrived is a reservation (its bytes count against the
 * sender's credit and the free space) until it arrives or its acceptance expires after
 * {@link #OFFER_TTL}. Thread safe.
 */
public final class AcceptedPlans implements PlanSource {

    public static final String SCHEMA = "replication.plans";

    /** How long an accepted fragment waits for its PUT before the acceptance lapses. */
    public static final Duration OFFER_TTL = Duration.ofHours(24);

    /** What a sender has accepted here but not yet sent. */
    public record Outstanding(long bytes, int tesseras) {
    }

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
            """),
            Migration.of(2, "plans kept per sender, not one per tessera; accepted fragments reserve space until they arrive",
                    """
                    CREATE TABLE offered_plans (
                        id INTEGER PRIMARY KEY,
                        tessera TEXT NOT NULL CHECK (length(tessera) = 64),
                        plan BLOB NOT NULL,
                        accepted_at INTEGER NOT NULL,
                        UNIQUE (tessera, plan)
                    )
                    """,
                    "INSERT INTO offered_plans (tessera, plan, accepted_at) SELECT tessera, plan, accepted_at FROM accepted_plans",
                    """
                    CREATE TABLE offered_fragments (
                        tessera TEXT NOT NULL CHECK (length(tessera) = 64),
                        sender TEXT NOT NULL CHECK (length(sender) = 40),
                        fragment INTEGER NOT NULL CHECK (fragment >= 0),
                        plan_id INTEGER NOT NULL REFERENCES offered_plans (id),
                        shard_size INTEGER NOT NULL CHECK (shard_size >= 0),
                        accepted_at INTEGER NOT NULL,
                        received INTEGER NOT NULL CHECK (received IN (0, 1)),
                        PRIMARY KEY (tessera, sender, fragment)
                    ) WITHOUT ROWID
                    """,
                    // Acceptances from before cannot tell whether they arrived: kept as arrived, reserving nothing.
                    """
                    INSERT INTO offered_fragments (tessera, sender, fragment, plan_id, shard_size, accepted_at, received)
                    SELECT f.tessera, f.sender, f.fragment, p.id, 0, f.accepted_at, 1
                    FROM accepted_fragments f JOIN offered_plans p ON p.tessera = f.tessera
                    """,
                    "CREATE INDEX offered_fragments_waiting ON offered_fragments (sender, received, accepted_at)",
                    "DROP TABLE accepted_fragments",
                    "DROP TABLE accepted_plans"));

    private final Database database;
    private final Supplier<FragmentStore> store;
    private final Clock clock;
    // Parsed plans by row id: every PUT consults its plan, and parsing and verifying one per PUT would be waste.
    private final ConcurrentHashMap<Long, SignedFragmentPlan> parsed = new ConcurrentHashMap<>();

    /**
     * Without a store {@link #plan} cannot check which plan the held fragments match and answers
     * with the earliest plan accepted for the tessera; for tests of the offer and receive checks.
     */
    public AcceptedPlans(Database database) {
        this(database, () -> null, Clock.systemUTC());
    }

    /**
     * @param store the local fragment store whose index tells which accepted plan the held fragments match
     * @param clock tells when acceptances expire ({@link #OFFER_TTL} after they were made)
     */
    public AcceptedPlans(Database database, Supplier<FragmentStore> store, Clock clock) {
        this.database = database;
        this.store = store;
        this.clock = clock;
        database.migrate(SCHEMA, MIGRATIONS);
    }

    /**
     * Records that {@code sender} may store {@code indices} of the plan's tessera here, each
     * reserving a shard until it arrives. An index not yet received is re-accepted under this plan
     * with a fresh expiry (a publisher resuming); a received one stays as it was.
     */
    public void accept(SignedFragmentPlan plan, NodeId sender, Collection<Integer> indices, Instant at) {
        String tessera = plan.plan().tessera().toHex();
        byte[] bytes = plan.toBytes();
        database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT OR IGNORE INTO offered_plans (tessera, plan, accepted_at)"
                    + " VALUES (?, ?, ?)")) {
                s.setString(1, tessera);
                s.setBytes(2, bytes);
                s.setLong(3, at.toEpochMilli());
                s.executeUpdate();
            }
            long planId;
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM offered_plans WHERE tessera = ? AND plan = ?")) {
                s.setString(1, tessera);
                s.setBytes(2, bytes);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    planId = rs.getLong(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO offered_fragments (tessera, sender, fragment, plan_id,"
                    + " shard_size, accepted_at, received) VALUES (?, ?, ?, ?, ?, ?, 0)"
                    + " ON CONFLICT (tessera, sender, fragment) DO UPDATE SET plan_id = excluded.plan_id,"
                    + " shard_size = excluded.shard_size, accepted_at = excluded.accepted_at WHERE received = 0")) {
                for (int index : indices) {
                    s.setString(1, tessera);
                    s.setString(2, sender.toHex());
                    s.setInt(3, index);
                    s.setLong(4, planId);
                    s.setLong(5, plan.plan().shardSize());
                    s.setLong(6, at.toEpochMilli());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    /** The plan {@code sender} offered for the tessera (its latest live acceptance), if any. */
    public Optional<SignedFragmentPlan> planFrom(ContentHash tessera, NodeId sender) {
        Optional<Long> id = database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT plan_id FROM offered_fragments WHERE tessera = ? AND sender = ?"
                    + " AND (received = 1 OR accepted_at > ?) ORDER BY accepted_at DESC LIMIT 1")) {
                s.setString(1, tessera.toHex());
                s.setString(2, sender.toHex());
                s.setLong(3, expiredBefore());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
                }
            }
        });
        return id.map(this::parsedPlan);
    }

    /**
     * The accepted plan of the tessera whose fragments this node holds: every fragment the store's
     * index lists for the tessera has that plan's checksum at its index. None when no fragment is
     * held or no accepted plan matches them. Among several that match, the one with the most
     * fragments received here, then the earliest.
     */
    @Override
    public Optional<SignedFragmentPlan> plan(ContentHash tessera) {
        List<Long> candidates = database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT p.id FROM offered_plans p LEFT JOIN offered_fragments f"
                    + " ON f.plan_id = p.id AND f.received = 1 WHERE p.tessera = ? GROUP BY p.id"
                    + " ORDER BY count(f.fragment) DESC, p.accepted_at, p.id")) {
                s.setString(1, tessera.toHex());
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                return ids;
            }
        });
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        FragmentStore local = store.get();
        if (local == null) {
            return Optional.of(parsedPlan(candidates.get(0)));
        }
        Map<Integer, ContentHash> held = new HashMap<>();
        try {
            for (FragmentInfo info : local.fragments(tessera)) {
                held.put(info.id().index(), info.id().checksum());
            }
        } catch (RuntimeException e) {
            // The store is gone or failing: no plan can be shown to match what is held.
            return Optional.empty();
        }
        if (held.isEmpty()) {
            return Optional.empty();
        }
        for (long id : candidates) {
            SignedFragmentPlan signed = parsedPlan(id);
            if (matches(signed.plan(), held)) {
                return Optional.of(signed);
            }
        }
        return Optional.empty();
    }

    private static boolean matches(FragmentPlan plan, Map<Integer, ContentHash> held) {
        for (Map.Entry<Integer, ContentHash> fragment : held.entrySet()) {
            int index = fragment.getKey();
            if (index >= plan.totalShards() || !plan.checksums().get(index).equals(fragment.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code sender} may PUT fragment {@code index} of the tessera: accepted, and arrived or not yet expired. */
    public boolean accepted(ContentHash tessera, NodeId sender, int index) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM offered_fragments WHERE tessera = ? AND sender = ?"
                    + " AND fragment = ? AND (received = 1 OR accepted_at > ?)")) {
                s.setString(1, tessera.toHex());
                s.setString(2, sender.toHex());
                s.setInt(3, index);
                s.setLong(4, expiredBefore());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The indices {@code sender} has live acceptances for (arrived, or not yet expired), ascending. */
    public Set<Integer> acceptedFrom(ContentHash tessera, NodeId sender) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT fragment FROM offered_fragments WHERE tessera = ? AND sender = ?"
                    + " AND (received = 1 OR accepted_at > ?)")) {
                s.setString(1, tessera.toHex());
                s.setString(2, sender.toHex());
                s.setLong(3, expiredBefore());
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

    /** The fragment {@code sender} was accepted for arrived: it no longer reserves anything. */
    public void received(NodeId sender, FragmentId id) {
        database.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE offered_fragments SET received = 1 WHERE tessera = ?"
                    + " AND sender = ? AND fragment = ?")) {
                s.setString(1, id.tessera().toHex());
                s.setString(2, sender.toHex());
                s.setInt(3, id.index());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** What {@code sender} was accepted for and has not sent yet, unexpired. */
    public Outstanding outstanding(NodeId sender) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT coalesce(sum(shard_size), 0), count(DISTINCT tessera)"
                    + " FROM offered_fragments WHERE sender = ? AND received = 0 AND accepted_at > ?")) {
                s.setString(1, sender.toHex());
                s.setLong(2, expiredBefore());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new Outstanding(rs.getLong(1), rs.getInt(2));
                }
            }
        });
    }

    /** Whether {@code sender} has an unexpired acceptance of the tessera that has not arrived. */
    public boolean waitingFor(ContentHash tessera, NodeId sender) {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM offered_fragments WHERE tessera = ? AND sender = ?"
                    + " AND received = 0 AND accepted_at > ? LIMIT 1")) {
                s.setString(1, tessera.toHex());
                s.setString(2, sender.toHex());
                s.setLong(3, expiredBefore());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The bytes all senders were accepted for and have not sent yet, unexpired: space promised, not yet used. */
    public long reservedBytes() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT coalesce(sum(shard_size), 0) FROM offered_fragments"
                    + " WHERE received = 0 AND accepted_at > ?")) {
                s.setLong(1, expiredBefore());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /**
     * Deletes acceptances that expired without their fragment arriving, and plans no acceptance
     * refers to any more.
     *
     * @return how many acceptances were deleted
     */
    public int expire() {
        int deleted = database.write(c -> {
            int count;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM offered_fragments WHERE received = 0 AND accepted_at <= ?")) {
                s.setLong(1, expiredBefore());
                count = s.executeUpdate();
            }
            deleteUnreferencedPlans(c);
            return count;
        });
        parsed.keySet().retainAll(planIds());
        return deleted;
    }

    private List<Long> planIds() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM offered_plans"); ResultSet rs = s.executeQuery()) {
                List<Long> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
                return ids;
            }
        });
    }

    private static void deleteUnreferencedPlans(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM offered_plans WHERE id NOT IN"
                + " (SELECT DISTINCT plan_id FROM offered_fragments)")) {
            s.executeUpdate();
        }
    }

    /** The tesseras with an accepted plan, in hash order. */
    public List<ContentHash> tesseras() {
        return database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT tessera FROM offered_plans ORDER BY tessera");
                    ResultSet rs = s.executeQuery()) {
                List<ContentHash> hashes = new ArrayList<>();
                while (rs.next()) {
                    hashes.add(ContentHash.parse(rs.getString(1)));
                }
                return hashes;
            }
        });
    }

    /** Forgets every plan and acceptance of the tessera (its fragments were deleted here). */
    public void forget(ContentHash tessera) {
        database.write(c -> {
            for (String table : List.of("offered_fragments", "offered_plans")) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE tessera = ?")) {
                    s.setString(1, tessera.toHex());
                    s.executeUpdate();
                }
            }
            return null;
        });
        parsed.keySet().retainAll(planIds());
    }

    private long expiredBefore() {
        return clock.instant().minus(OFFER_TTL).toEpochMilli();
    }

    private SignedFragmentPlan parsedPlan(long id) {
        SignedFragmentPlan cached = parsed.get(id);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = database.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT plan FROM offered_plans WHERE id = ?")) {
                s.setLong(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
        if (bytes == null) {
            throw new IllegalStateException("accepted plan " + id + " in schema " + SCHEMA + " was deleted while in use");
        }
        try {
            SignedFragmentPlan plan = SignedFragmentPlan.parse(bytes);
            parsed.put(id, plan);
            return plan;
        } catch (FragmentPlanFormatException e) {
            throw new IllegalStateException("accepted plan " + id + " in schema " + SCHEMA + " cannot be read back: "
                    + e.getMessage(), e);
        }
    }
}
