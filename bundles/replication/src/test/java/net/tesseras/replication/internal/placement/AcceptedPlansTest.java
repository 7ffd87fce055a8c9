package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentConflictException;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.testkit.TestIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptedPlansTest {

    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    Path dir;
    private SqliteDatabase db;
    private FsFragmentStore local;
    private AcceptedPlans accepted;
    private final MutableClock clock = new MutableClock(NOW);
    private final TestPeers peers = new TestPeers(18);
    private final NodeId creator = peers.at("10.9.0.1").nodeId();
    private final NodeId forger = peers.at("10.9.1.1").nodeId();
    private final TestPlans.Made real = TestPlans.medium(11);
    private final TestPlans.Made forged = TestPlans.forged(real, new TestIdentity(), 12);

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        local = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, false);
        accepted = new AcceptedPlans(db, () -> local, clock);
    }

    @AfterEach
    void close() {
        local.close();
        db.close();
    }

    private void hold(TestPlans.Made made, int index) {
        local.store(made.plan().fragmentId(index), ByteBuffer.wrap(made.fragments().get(index)));
    }

    @Test
    void thePlanServedIsTheOneTheHeldFragmentsMatchNotTheFirstOffered() {
        accepted.accept(forged.signed(), forger, List.of(0, 1), NOW);
        accepted.accept(real.signed(), creator, List.of(0, 1), NOW);
        assertEquals(Optional.empty(), accepted.plan(real.plan().tessera()), "nothing held yet: no plan to vouch for");

        hold(real, 0);
        hold(real, 1);
        accepted.received(creator, real.plan().fragmentId(0));
        assertEquals(real.signed(), accepted.plan(real.plan().tessera()).orElseThrow());
        assertEquals(List.of(real.plan().tessera()), accepted.tesseras());
    }

    @Test
    void twoPlansCannotBothBeHeldAtOneIndex() {
        accepted.accept(forged.signed(), forger, List.of(0), NOW);
        accepted.accept(real.signed(), creator, List.of(0, 1), NOW);
        hold(forged, 0);
        assertThrows(FragmentConflictException.class, () -> hold(real, 0), "the store keeps one fragment per index");
        assertEquals(forged.signed(), accepted.plan(real.plan().tessera()).orElseThrow(), "served: what is held");
        hold(real, 1);
        assertEquals(Optional.empty(), accepted.plan(real.plan().tessera()), "no one plan matches both held fragments");
    }

    @Test
    void expiryDeletesOnlyUnreceivedAcceptancesAndTheirUnusedPlans() {
        accepted.accept(forged.signed(), forger, List.of(0), NOW);
        accepted.accept(real.signed(), creator, List.of(0, 1), NOW);
        accepted.received(creator, real.plan().fragmentId(0));
        assertEquals(new AcceptedPlans.Outstanding(real.plan().shardSize(), 1), accepted.outstanding(creator));
        assertEquals(2 * real.plan().shardSize(), accepted.reservedBytes());

        clock.advance(AcceptedPlans.OFFER_TTL);
        assertEquals(0, accepted.reservedBytes());
        assertEquals(2, accepted.expire());
        assertEquals(Set.of(0), accepted.acceptedFrom(real.plan().tessera(), creator));
        assertEquals(Optional.empty(), accepted.planFrom(real.plan().tessera(), forger));
        assertEquals(real.signed(), accepted.planFrom(real.plan().tessera(), creator).orElseThrow());
    }

    @Test
    void acceptancesOfTheFirstSchemaAreKeptAsReceived() {
        SqliteDatabase old = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("old/tesseras.db")));
        try {
            old.migrate(AcceptedPlans.SCHEMA, AcceptedPlans.MIGRATIONS.subList(0, 1));
            old.write(c -> {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO accepted_plans VALUES (?, ?, 0)")) {
                    s.setString(1, real.plan().tessera().toHex());
                    s.setBytes(2, real.signed().toBytes());
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO accepted_fragments VALUES (?, ?, 5, 0)")) {
                    s.setString(1, real.plan().tessera().toHex());
                    s.setString(2, creator.toHex());
                    s.executeUpdate();
                }
                return null;
            });
            AcceptedPlans migrated = new AcceptedPlans(old, () -> null, clock);
            assertTrue(migrated.accepted(real.plan().tessera(), creator, 5), "still admitted, although accepted long ago");
            assertFalse(migrated.accepted(real.plan().tessera(), forger, 5));
            assertEquals(real.signed(), migrated.planFrom(real.plan().tessera(), creator).orElseThrow());
            assertEquals(new AcceptedPlans.Outstanding(0, 0), migrated.outstanding(creator), "reserves nothing");
        } finally {
            old.close();
        }
    }
}
