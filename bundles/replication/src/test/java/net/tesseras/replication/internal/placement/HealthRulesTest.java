package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus;
import net.tesseras.replication.TesseraStatus.Health;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.PlacementBook.State;
import org.junit.jupiter.api.Test;

class HealthRulesTest {

    private static final TestPeers PEERS = new TestPeers(14);
    private static final List<NodeId> IDS = new ArrayList<>();
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    static {
        for (int i = 0; i < 30; i++) {
            IDS.add(PEERS.at("10.4." + i + ".1").nodeId());
        }
    }

    private final HealthRules rules = new HealthRules();
    private final TestPlans.Made medium = TestPlans.medium(1);
    private final TestPlans.Made small = TestPlans.small(2);

    private static Placement placement(ContentHash t, int index, int peer, State state, Proof proof, boolean live) {
        return new Placement(t, index, IDS.get(peer), state, 0, NOW, proof == Proof.NONE ? Optional.empty() : Optional.of(NOW), proof,
                live, "");
    }

    /** Fragments 0..23 round robin on {@code peers} peers, in {@code state}, proven and live where told. */
    private List<Placement> medium(int peers, State state, Proof proof, IntPredicate live) {
        List<Placement> list = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            list.add(placement(medium.plan().tessera(), i, i % peers, state, proof, live.test(i)));
        }
        return list;
    }

    private TesseraStatus mediumStatus(List<Placement> placements) {
        return rules.status(medium.signed(), placements, Optional.of(NOW), 7);
    }

    @Test
    void fromLocalThroughPublishingAndReplicatedToHealthy() {
        assertEquals(Health.LOCAL, mediumStatus(List.of()).health());

        List<Placement> publishing = medium(7, State.ACKED, Proof.NONE, i -> false);
        publishing.set(3, placement(medium.plan().tessera(), 3, 3, State.PENDING, Proof.NONE, false));
        TesseraStatus status = mediumStatus(publishing);
        assertEquals(Health.PUBLISHING, status.health());
        assertEquals(23, status.placedFragments());

        TesseraStatus replicated = mediumStatus(medium(7, State.ACKED, Proof.NONE, i -> false));
        assertEquals(Health.REPLICATED, replicated.health());
        assertEquals(24, replicated.placedFragments());
        assertEquals(0, replicated.liveFragments());
        assertEquals(2, replicated.survivablePeerLosses(), "before any proof, over the acknowledged fragments");

        TesseraStatus healthy = mediumStatus(medium(7, State.ACKED, Proof.PASSED, i -> true));
        assertEquals(Health.HEALTHY, healthy.health());
        assertEquals(24, healthy.liveFragments());
        assertEquals(7, healthy.holders().size());
        assertEquals(2, healthy.survivablePeerLosses());
        assertEquals(Optional.of(NOW), healthy.lastRepair());
    }

    @Test
    void allLiveButOnFewerThanRPeersIsNotHealthy() {
        assertEquals(Health.DEGRADED, mediumStatus(medium(6, State.ACKED, Proof.PASSED, i -> true)).health());
        assertEquals(Health.HEALTHY, mediumStatus(medium(24, State.ACKED, Proof.PASSED, i -> true)).health());
    }

    @Test
    void degradedWhileRebuildableThenCritical() {
        TesseraStatus degraded = mediumStatus(medium(24, State.ACKED, Proof.PASSED, i -> i < 20));
        assertEquals(Health.DEGRADED, degraded.health());
        assertEquals(20, degraded.liveFragments());
        assertEquals(4, degraded.survivablePeerLosses());

        TesseraStatus critical = mediumStatus(medium(24, State.ACKED, Proof.PASSED, i -> i < 15));
        assertEquals(Health.CRITICAL, critical.health());
        assertEquals(-1, critical.survivablePeerLosses());
    }

    @Test
    void pendingRePlacementsAfterProofsLeaveTheVerdictToTheProofs() {
        List<Placement> placements = medium(24, State.ACKED, Proof.PASSED, i -> i != 5);
        placements.add(placement(medium.plan().tessera(), 5, 25, State.PENDING, Proof.NONE, false));
        assertEquals(Health.DEGRADED, mediumStatus(placements).health());
    }

    @Test
    void smallTesserasCountLiveCopies() {
        ContentHash t = small.plan().tessera();
        List<Placement> copies = new ArrayList<>();
        for (int p = 0; p < 7; p++) {
            copies.add(placement(t, 0, p, State.ACKED, Proof.PASSED, true));
        }
        TesseraStatus healthy = rules.status(small.signed(), copies, Optional.empty(), 7);
        assertEquals(Health.HEALTHY, healthy.health());
        assertEquals(7, healthy.copies());
        assertEquals(6, healthy.survivablePeerLosses());

        copies.set(0, placement(t, 0, 0, State.LOST, Proof.FAILED, false));
        TesseraStatus degraded = rules.status(small.signed(), copies, Optional.empty(), 7);
        assertEquals(Health.DEGRADED, degraded.health());
        assertEquals(6, degraded.copies());

        List<Placement> none = List.of(placement(t, 0, 0, State.LOST, Proof.FAILED, false));
        assertEquals(Health.CRITICAL, rules.status(small.signed(), none, Optional.empty(), 7).health());

        List<Placement> unproven = new ArrayList<>();
        for (int p = 0; p < 7; p++) {
            unproven.add(placement(t, 0, p, State.ACKED, Proof.NONE, false));
        }
        assertEquals(Health.REPLICATED, rules.status(small.signed(), unproven, Optional.empty(), 7).health());
        assertEquals(Health.DEGRADED, rules.status(small.signed(), unproven.subList(0, 3), Optional.empty(), 7).health(),
                "three acknowledged copies of seven, none proven, none pending");
    }
}
