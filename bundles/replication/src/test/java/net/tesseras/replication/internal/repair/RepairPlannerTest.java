package net.tesseras.replication.internal.repair;

import static net.tesseras.replication.internal.repair.Fixtures.NOW;
import static net.tesseras.replication.internal.repair.Fixtures.medium;
import static net.tesseras.replication.internal.repair.Fixtures.node;
import static net.tesseras.replication.internal.repair.Fixtures.placement;
import static net.tesseras.replication.internal.repair.Fixtures.small;
import static net.tesseras.replication.internal.repair.Fixtures.spread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus.Health;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.PlacementBook.State;
import net.tesseras.replication.internal.repair.RepairPlanner.Decision;
import net.tesseras.replication.internal.repair.RepairPlanner.Local;
import net.tesseras.replication.internal.repair.RepairPlanner.Verdict;
import org.junit.jupiter.api.Test;

class RepairPlannerTest {

    private static final Duration GRACE = Duration.ofHours(6);
    private final RepairPlanner planner = new RepairPlanner(7, GRACE);

    private static TreeSet<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    private static TreeSet<Integer> set(Integer... values) {
        return new TreeSet<>(List.of(values));
    }

    private static Local creatorHoldingAll() {
        return new Local(range(0, 24), set(), true);
    }

    private static Map<NodeId, Verdict> passed(int peers) {
        Map<NodeId, Verdict> verdicts = new HashMap<>();
        for (int p = 1; p <= peers; p++) {
            verdicts.put(node(p), new Verdict(node(p), Proof.PASSED, Optional.of(NOW), "ok"));
        }
        return verdicts;
    }

    @Test
    void nothingLostNothingToDo() {
        Decision d = planner.plan(medium(), spread(24, 8), passed(8), creatorHoldingAll(), NOW);

        assertEquals(set(), d.lost());
        assertEquals(24, d.liveBefore());
        assertEquals(set(), d.rebuild());
        assertFalse(d.fetchNeeded());
        assertEquals(Set.of(), d.avoid());
        assertEquals(List.of(), d.expired());
        assertEquals(Health.HEALTHY, planner.health(medium(), spread(24, 8), false));
    }

    @Test
    void aHolderThatFailedLosesTheFragmentsItDidNotProveAtOnceAndIsAvoided() {
        List<Placement> placements = new ArrayList<>(spread(24, 8));
        // Peer 3 holds 2, 10, 18; its challenge failed on 10: the book made 10 LOST and kept 2 and 18 live.
        placements.replaceAll(p -> p.index() == 10 ? placement(10, node(3), State.LOST, false, Proof.FAILED)
                : p.peer().equals(node(3)) ? placement(p.index(), node(3), State.ACKED, true, Proof.FAILED) : p);
        Map<NodeId, Verdict> verdicts = passed(8);
        verdicts.put(node(3), new Verdict(node(3), Proof.FAILED, Optional.of(NOW), "challenge failed on [10]"));

        Decision d = planner.plan(medium(), placements, verdicts, creatorHoldingAll(), NOW);

        assertEquals(set(10), d.lost());
        assertEquals(Set.of(node(3)), d.avoid());
        assertEquals(set(), d.rebuild(), "the creator holds fragment 10 itself: it is placed from the store");
        assertFalse(d.fetchNeeded());
        assertEquals(Health.DEGRADED, planner.health(medium(), placements, false));
    }

    @Test
    void aFailedHolderWhoseAckedPlacementIsNotLiveLosesItEvenIfTheBookKeptItAcked() {
        List<Placement> placements = new ArrayList<>(spread(24, 8));
        placements.replaceAll(p -> p.peer().equals(node(2)) ? placement(p.index(), node(2), State.ACKED, false, Proof.FAILED) : p);
        Map<NodeId, Verdict> verdicts = passed(8);
        verdicts.put(node(2), new Verdict(node(2), Proof.FAILED, Optional.of(NOW), "bad signature"));

        Decision d = planner.plan(medium(), placements, verdicts, creatorHoldingAll(), NOW);

        assertEquals(set(1, 9, 17), d.lost());
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("failed its proof (bad signature)")), d.notes().toString());
    }

    @Test
    void anUnreachableHolderWithinTheGraceKeepsItsFragments() {
        Map<NodeId, Verdict> verdicts = passed(8);
        Instant lastAnswer = NOW.minus(GRACE).plusSeconds(1);
        verdicts.put(node(4), new Verdict(node(4), Proof.UNREACHABLE, Optional.of(lastAnswer), "timeout"));

        Decision d = planner.plan(medium(), spread(24, 8), verdicts, creatorHoldingAll(), NOW);

        assertEquals(set(), d.lost());
        assertEquals(List.of(), d.expired());
        assertEquals(Set.of(node(4)), d.avoid(), "no new fragment goes to a peer that does not answer");
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("still count until " + lastAnswer.plus(GRACE))),
                d.notes().toString());
    }

    @Test
    void anUnreachableHolderPastTheGraceLosesItsFragments() {
        Map<NodeId, Verdict> verdicts = passed(8);
        verdicts.put(node(4), new Verdict(node(4), Proof.UNREACHABLE, Optional.of(NOW.minus(GRACE)), "timeout"));
        verdicts.put(node(5), new Verdict(node(5), Proof.UNREACHABLE, Optional.empty(), "not in the peer table"));

        Decision d = planner.plan(medium(), spread(24, 8), verdicts, creatorHoldingAll(), NOW);

        assertEquals(set(3, 4, 11, 12, 19, 20), d.lost());
        assertEquals(6, d.expired().size());
        assertTrue(d.expired().stream().allMatch(p -> p.peer().equals(node(4)) || p.peer().equals(node(5))));
        assertEquals(Set.of(node(4), node(5)), d.avoid());
    }

    @Test
    void aHolderWithoutAnyVerdictCountsAsNeverAnswered() {
        Map<NodeId, Verdict> verdicts = passed(8);
        verdicts.remove(node(8));
        Decision d = planner.plan(medium(), spread(24, 8), verdicts, creatorHoldingAll(), NOW);
        assertEquals(set(7, 15, 23), d.lost());
    }

    @Test
    void aPendingPlacementIsNotLost() {
        List<Placement> placements = new ArrayList<>(spread(24, 8));
        placements.set(5, placement(5, node(9), State.PENDING, false, Proof.NONE));
        Decision d = planner.plan(medium(), placements, passed(8), creatorHoldingAll(), NOW);
        assertEquals(set(), d.lost());
        assertEquals(Health.PUBLISHING, planner.health(medium(), placements, false));
    }

    @Test
    void damagedAndMissingLocalFragmentsOfAFullCopyAreRebuiltWithoutFetching() {
        TreeSet<Integer> good = range(0, 24);
        good.removeAll(Set.of(4, 9, 22));
        Local local = new Local(good, set(4, 9), true);

        Decision d = planner.plan(medium(), spread(24, 8), passed(8), local, NOW);

        assertEquals(set(4, 9, 22), d.rebuild());
        assertFalse(d.fetchNeeded(), "21 good local fragments are more than the 16 needed");
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("[4, 9] are damaged")), d.notes().toString());
    }

    @Test
    void fewerThanDataLocalFragmentsMeansFetchingFirstPreferringTheOnesToRestore() {
        Local local = new Local(range(0, 10), set(), true); // 10 good, 16 needed
        Map<NodeId, Verdict> verdicts = passed(8);
        verdicts.put(node(1), new Verdict(node(1), Proof.UNREACHABLE, Optional.of(NOW), "timeout"));

        Decision d = planner.plan(medium(), spread(24, 8), verdicts, local, NOW);

        assertEquals(range(10, 24), d.rebuild());
        assertTrue(d.fetchNeeded());
        assertEquals(6, d.fetchCount());
        // Peer 1 (fragments 0, 8, 16) did not answer: 16 is not a source; the rest, ascending.
        assertEquals(List.of(10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23), List.copyOf(d.fetchSources().keySet()));
        assertEquals(List.of(node(3)), d.fetchSources().get(10));
    }

    @Test
    void aNodeKeepingOnlySomeFragmentsRebuildsOnlyWhatIsLost() {
        List<Placement> placements = new ArrayList<>(spread(24, 8));
        placements.removeIf(p -> p.index() == 6);
        Local local = new Local(range(0, 3), set(), false);

        Decision d = planner.plan(medium(), placements, passed(8), local, NOW);

        assertEquals(set(6), d.lost());
        assertEquals(set(6), d.rebuild());
        assertEquals(13, d.fetchCount());
        assertEquals(List.of(3, 4, 5, 7), List.copyOf(d.fetchSources().keySet()).subList(0, 4));
        assertFalse(d.fetchSources().containsKey(0), "fragments held good here are not fetched");
    }

    @Test
    void tooFewProvenFragmentsToFetchIsSaid() {
        List<Placement> placements = spread(24, 8).subList(0, 4);
        Local local = new Local(set(), set(), true);
        Decision d = planner.plan(medium(), placements, passed(8), local, NOW);
        assertEquals(16, d.fetchCount());
        assertEquals(4, d.fetchSources().size());
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("cannot be repaired now")), d.notes().toString());
        assertEquals(Health.CRITICAL, planner.health(medium(), placements, false));
    }

    @Test
    void aSmallTesseraNeedsRWholeCopies() {
        List<Placement> copies = new ArrayList<>();
        for (int p = 1; p <= 7; p++) {
            copies.add(placement(0, node(p), State.ACKED, true, Proof.PASSED));
        }
        Local local = new Local(set(0), set(), true);
        assertEquals(set(), planner.plan(small(), copies, passed(7), local, NOW).lost());
        assertEquals(Health.HEALTHY, planner.health(small(), copies, false));

        Map<NodeId, Verdict> verdicts = passed(7);
        verdicts.put(node(2), new Verdict(node(2), Proof.FAILED, Optional.of(NOW), "challenge failed"));
        copies.set(1, placement(0, node(2), State.LOST, false, Proof.FAILED));
        Decision d = planner.plan(small(), copies, verdicts, local, NOW);
        assertEquals(set(0), d.lost());
        assertEquals(Set.of(node(2)), d.avoid());
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("6 of 7 whole copies")), d.notes().toString());
        assertEquals(Health.DEGRADED, planner.health(small(), copies, false));
    }

    @Test
    void aSmallTesseraWhoseLocalCopyRottedIsFetchedFromALiveHolder() {
        List<Placement> copies = new ArrayList<>();
        for (int p = 1; p <= 7; p++) {
            copies.add(placement(0, node(p), State.ACKED, true, Proof.PASSED));
        }
        Decision d = planner.plan(small(), copies, passed(7), new Local(set(), set(0), true), NOW);
        assertEquals(set(0), d.rebuild());
        assertEquals(1, d.fetchCount());
        assertEquals(7, d.fetchSources().get(0).size());
    }

    @Test
    void healthAfterARepairCountsFreshlyAcknowledgedPlacements() {
        List<Placement> placements = new ArrayList<>(spread(24, 8));
        placements.set(3, placement(3, node(3), State.LOST, false, Proof.FAILED));
        placements.add(placement(3, node(9), State.ACKED, false, Proof.NONE));
        assertEquals(Health.DEGRADED, planner.health(medium(), placements, false));
        assertEquals(Health.HEALTHY, planner.health(medium(), placements, true));
        assertEquals(Health.LOCAL, planner.health(medium(), List.of(), false));
        assertEquals(Health.REPLICATED, planner.health(medium(),
                spread(24, 8).stream().map(p -> placement(p.index(), p.peer(), State.ACKED, false, Proof.NONE)).toList(), false));
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RepairPlanner(0, GRACE));
        assertThrows(IllegalArgumentException.class, () -> new RepairPlanner(7, Duration.ofSeconds(-1)));
    }
}
