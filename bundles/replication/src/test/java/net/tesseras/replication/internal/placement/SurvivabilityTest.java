package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.tesseras.identity.NodeId;
import org.junit.jupiter.api.Test;

class SurvivabilityTest {

    private static final TestPeers PEERS = new TestPeers(13);
    private static final List<NodeId> IDS = new ArrayList<>();

    static {
        for (int i = 0; i < 80; i++) {
            IDS.add(PEERS.at("10.2." + i + ".1").nodeId());
        }
    }

    private final Survivability survivability = new Survivability();

    /** Every subset of holders, the plain way: the largest k such that no k-subset's loss leaves fewer than data. */
    private static int bruteForce(Map<NodeId, Set<Integer>> live, int data) {
        List<Set<Integer>> holders = new ArrayList<>(live.values());
        int n = holders.size();
        Set<Integer> all = new HashSet<>();
        holders.forEach(all::addAll);
        if (all.size() < data) {
            return -1;
        }
        int fewestFatal = Integer.MAX_VALUE;
        for (int mask = 0; mask < (1 << n); mask++) {
            Set<Integer> left = new HashSet<>();
            for (int h = 0; h < n; h++) {
                if ((mask & (1 << h)) == 0) {
                    left.addAll(holders.get(h));
                }
            }
            if (left.size() < data) {
                fewestFatal = Math.min(fewestFatal, Integer.bitCount(mask));
            }
        }
        return fewestFatal - 1;
    }

    /** Fragments 0..total-1 dealt round robin over n holders. */
    private static Map<NodeId, Set<Integer>> roundRobin(int total, int n) {
        Map<NodeId, Set<Integer>> live = new LinkedHashMap<>();
        for (int i = 0; i < total; i++) {
            live.computeIfAbsent(IDS.get(i % n), k -> new HashSet<>()).add(i);
        }
        return live;
    }

    @Test
    void mediumTierOverSevenPeersSurvivesTwoLosses() {
        assertEquals(2, survivability.peerLosses(roundRobin(24, 7), 16));
    }

    @Test
    void mediumTierOneFragmentPerPeerSurvivesEightLosses() {
        assertEquals(8, survivability.peerLosses(roundRobin(24, 24), 16));
        assertEquals(24, survivability.peerLosses(roundRobin(72, 72), 48));
    }

    @Test
    void rWholeCopiesSurviveRMinusOneLosses() {
        for (int r = 1; r <= 9; r++) {
            Map<NodeId, Set<Integer>> live = new HashMap<>();
            for (int i = 0; i < r; i++) {
                live.put(IDS.get(i), Set.of(0));
            }
            assertEquals(r - 1, survivability.peerLosses(live, 1));
        }
    }

    @Test
    void tooFewLiveFragmentsIsMinusOne() {
        assertEquals(-1, survivability.peerLosses(roundRobin(15, 7), 16));
        assertEquals(-1, survivability.peerLosses(Map.of(), 1));
        assertEquals(0, survivability.peerLosses(roundRobin(16, 16), 16), "exactly enough: any loss is fatal");
    }

    @Test
    void agreesWithBruteForceOnRandomPlacementsWithCopies() {
        Random random = new Random(5);
        for (int round = 0; round < 400; round++) {
            int holders = 1 + random.nextInt(10);
            int total = 1 + random.nextInt(12);
            int data = 1 + random.nextInt(total);
            Map<NodeId, Set<Integer>> live = new LinkedHashMap<>();
            for (int h = 0; h < holders; h++) {
                Set<Integer> fragments = new HashSet<>();
                int count = random.nextInt(5);
                for (int j = 0; j < count; j++) {
                    fragments.add(random.nextInt(total));
                }
                live.put(IDS.get(h), fragments);
            }
            assertEquals(bruteForce(live, data), survivability.peerLosses(live, data), "round " + round + ": " + live + " data " + data);
        }
    }

    @Test
    void beyondItsWorkCapTheSearchNeverOverstates() {
        Random random = new Random(6);
        Survivability capped = new Survivability(3);
        for (int round = 0; round < 200; round++) {
            Map<NodeId, Set<Integer>> live = new LinkedHashMap<>();
            for (int h = 0; h < 9; h++) {
                Set<Integer> fragments = new HashSet<>();
                for (int j = 0; j < 4; j++) {
                    fragments.add(random.nextInt(10));
                }
                live.put(IDS.get(h), fragments);
            }
            int exact = bruteForce(live, 4);
            int bounded = capped.peerLosses(live, 4);
            assertTrue(bounded <= exact, "round " + round + ": capped " + bounded + " > exact " + exact);
            assertTrue(bounded >= Math.min(exact, 0), "with its lower bound proven it is at least 0 when the tessera survives now");
        }
    }

    @Test
    void peersIgnoredWhenTheyHoldNothingLive() {
        Map<NodeId, Set<Integer>> live = roundRobin(24, 7);
        live.put(IDS.get(50), Set.of());
        assertEquals(2, survivability.peerLosses(live, 16));
    }
}
