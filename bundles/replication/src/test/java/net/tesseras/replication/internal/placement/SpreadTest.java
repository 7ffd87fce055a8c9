package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import org.junit.jupiter.api.Test;

class SpreadTest {

    private final TestPeers peers = new TestPeers(12);
    private final Spread spread = new Spread(7);

    private List<Peer> peers(int n) {
        List<Peer> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(peers.at("10.1." + i + ".1"));
        }
        return list;
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static void assertEachIndexOnce(Map<Peer, List<Integer>> assignment, int n) {
        List<Integer> all = assignment.values().stream().flatMap(List::stream).sorted().toList();
        assertEquals(range(n), all, "every fragment on exactly one peer");
    }

    @Test
    void onePerPeerWhenThereAreAsManyPeersAsFragments() {
        Map<Peer, List<Integer>> assignment = spread.fragments(peers(30), range(24), Map.of());
        assertEquals(24, assignment.size());
        assertTrue(assignment.values().stream().allMatch(l -> l.size() == 1));
        assertEachIndexOnce(assignment, 24);
    }

    @Test
    void balancedOverFewerPeers() {
        Map<Peer, List<Integer>> assignment = spread.fragments(peers(7), range(24), Map.of());
        assertEquals(7, assignment.size());
        IntSummaryStatistics counts = assignment.values().stream().mapToInt(List::size).summaryStatistics();
        assertEquals(3, counts.getMin());
        assertEquals(4, counts.getMax());
        assertEachIndexOnce(assignment, 24);

        Map<Peer, List<Integer>> large = spread.fragments(peers(10), range(72), Map.of());
        IntSummaryStatistics largeCounts = large.values().stream().mapToInt(List::size).summaryStatistics();
        assertTrue(largeCounts.getMax() - largeCounts.getMin() <= 1, largeCounts.toString());
    }

    @Test
    void spreadsOverSubnetsBeforeDoublingUpInOne() {
        Peer a1 = peers.at("10.9.0.1");
        Peer a2 = peers.at("10.9.0.2");
        Peer b = peers.at("10.9.1.1");
        Peer c = peers.at("10.9.2.1");
        // Three fragments, four peers: each subnet gets one before a second peer of 10.9.0/24 gets one.
        Map<Peer, List<Integer>> assignment = spread.fragments(List.of(a1, a2, b, c), range(3), Map.of());
        assertEquals(Set.of(a1, b, c), assignment.keySet());
    }

    @Test
    void aRepairPrefersPeersHoldingNothingAndNeverDoublesAnIndex() {
        List<Peer> all = peers(6);
        Map<NodeId, Set<Integer>> held = Map.of(all.get(0).nodeId(), Set.of(0, 1), all.get(1).nodeId(), Set.of(2));
        Map<Peer, List<Integer>> assignment = spread.fragments(all, List.of(3, 4, 5, 6), held);
        assertFalse(assignment.containsKey(all.get(0)));
        assertFalse(assignment.containsKey(all.get(1)));
        assertEquals(4, assignment.size(), "one each on the four empty peers");

        Map<Peer, List<Integer>> onlyHolders = spread.fragments(all.subList(0, 1), List.of(0, 7), held);
        assertEquals(Map.of(all.get(0), List.of(7)), onlyHolders, "index 0 is held there already: left unassigned");
    }

    @Test
    void smallCopiesGoToRDistinctPeers() {
        List<Peer> all = peers(10);
        Map<Peer, List<Integer>> copies = spread.copies(all, Set.of());
        assertEquals(7, copies.size());
        assertTrue(copies.values().stream().allMatch(List.of(0)::equals));
        Set<NodeId> holding = all.subList(0, 5).stream().map(Peer::nodeId).collect(Collectors.toSet());
        Map<Peer, List<Integer>> more = spread.copies(all, holding);
        assertEquals(2, more.size(), "r - 5 more");
        assertTrue(new HashSet<>(all.subList(5, 10)).containsAll(more.keySet()));
        assertEquals(3, new Spread(3).copies(all, Set.of()).size());
    }

    @Test
    void holdersWantedCoversRAndOnePerFragment() {
        assertEquals(24, spread.holdersWanted(false, 24, 0));
        assertEquals(7, spread.holdersWanted(false, 2, 0));
        assertEquals(2, spread.holdersWanted(false, 2, 7));
        assertEquals(7, spread.holdersWanted(true, 1, 0));
        assertEquals(3, spread.holdersWanted(true, 1, 4));
    }
}
