package net.tesseras.replication.internal.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;

/**
 * Which holder gets which fragment. Reed-Solomon tiers: each fragment to one holder, over as many
 * distinct holders and subnets as there are (one fragment per holder when there are at least as
 * many holders as fragments, otherwise counts that differ by at most one), preferring holders that
 * hold nothing of the tessera yet, so that a repair does not pile fragments on the survivors.
 * Small tier (one whole fragment): index 0 on r distinct peers. Pure and thread safe.
 */
public final class Spread {

    /** The replication factor of the original and of the issue. */
    public static final int DEFAULT_REPLICATION_FACTOR = 7;

    private final int replicationFactor;

    /** @param replicationFactor r: distinct peers at least, and whole copies of a small tessera */
    public Spread(int replicationFactor) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("the replication factor must be at least 1, not " + replicationFactor);
        }
        this.replicationFactor = replicationFactor;
    }

    public int replicationFactor() {
        return replicationFactor;
    }

    /**
     * How many new holders to look for: for a small tessera, the copies missing to r; otherwise one
     * per fragment to place (the most spread), and at least enough to bring the distinct holders to r.
     *
     * @param small whether the tessera is one whole fragment
     * @param toPlace fragments to place
     * @param currentHolders peers holding (or being sent) fragments of the tessera now
     */
    public int holdersWanted(boolean small, int toPlace, int currentHolders) {
        int missingToR = Math.max(0, replicationFactor - currentHolders);
        return small ? missingToR : toPlace == 0 ? 0 : Math.max(toPlace, missingToR);
    }

    /**
     * Assigns each of {@code indices} (Reed-Solomon fragments) to one of {@code holders}: every
     * fragment goes to the holder with the fewest fragments of the tessera so far (those in
     * {@code held}, then those assigned here), ties going to the holder whose subnet holds fewest, then
     * to the earlier holder (closer by XOR). A holder never gets an index it holds already; an index
     * every holder holds stays unassigned.
     *
     * @param holders candidates in preference order (new ones and those already holding)
     * @param held the fragments of the tessera each peer holds or is being sent now
     * @return the indices per holder, ascending, in {@code holders} order; holders given nothing are absent
     */
    public Map<Peer, List<Integer>> fragments(List<Peer> holders, Collection<Integer> indices, Map<NodeId, Set<Integer>> held) {
        int n = holders.size();
        int[] load = new int[n];
        String[] subnets = new String[n];
        Map<String, Integer> subnetLoad = new HashMap<>();
        for (int p = 0; p < n; p++) {
            Peer peer = holders.get(p);
            load[p] = held.getOrDefault(peer.nodeId(), Set.of()).size();
            subnets[p] = peer.addresses().isEmpty() ? "none:" + peer.nodeId() : PlacementRules.subnet(peer.address());
            subnetLoad.merge(subnets[p], load[p], Integer::sum);
        }
        Map<Integer, List<Integer>> assigned = new HashMap<>();
        for (int index : new TreeSet<>(indices)) {
            int best = -1;
            for (int p = 0; p < n; p++) {
                if (held.getOrDefault(holders.get(p).nodeId(), Set.of()).contains(index)) {
                    continue;
                }
                if (best < 0 || load[p] < load[best]
                        || load[p] == load[best] && subnetLoad.get(subnets[p]) < subnetLoad.get(subnets[best])) {
                    best = p;
                }
            }
            if (best < 0) {
                continue;
            }
            load[best]++;
            subnetLoad.merge(subnets[best], 1, Integer::sum);
            assigned.computeIfAbsent(best, k -> new ArrayList<>()).add(index);
        }
        Map<Peer, List<Integer>> result = new LinkedHashMap<>();
        for (int p = 0; p < n; p++) {
            List<Integer> mine = assigned.get(p);
            if (mine != null) {
                result.put(holders.get(p), List.copyOf(mine));
            }
        }
        return result;
    }

    /**
     * Whole copies of a small tessera: index 0 to the first holders that do not hold it yet,
     * until r peers hold it.
     *
     * @param holding peers holding (or being sent) the copy now
     */
    public Map<Peer, List<Integer>> copies(List<Peer> holders, Set<NodeId> holding) {
        Map<Peer, List<Integer>> result = new LinkedHashMap<>();
        int missing = replicationFactor - holding.size();
        for (Peer peer : holders) {
            if (result.size() >= missing) {
                break;
            }
            if (!holding.contains(peer.nodeId()) && !result.containsKey(peer)) {
                result.put(peer, List.of(0));
            }
        }
        return result;
    }
}
