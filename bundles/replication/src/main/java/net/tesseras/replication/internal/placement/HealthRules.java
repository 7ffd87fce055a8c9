package net.tesseras.replication.internal.placement;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus;
import net.tesseras.replication.TesseraStatus.Health;
import net.tesseras.replication.TesseraStatus.Holder;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.PlacementBook.State;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;

/**
 * The verdict on a tessera from its placements (docs/REPLICATION.md, "Health"), first
 * rule that applies:
 * <ol>
 * <li>LOCAL: no placement at all.
 * <li>PUBLISHING: some placement is PENDING and no holder has been asked for a proof yet (the
 * first placement is under way; once proofs exist, pending re-placements of a repair leave the
 * verdict to the proofs).
 * <li>No proof yet: REPLICATED when every fragment is ACKED (a small tessera: r peers acknowledged
 * their copy); otherwise, counting the acknowledged fragments as the live ones, DEGRADED or
 * CRITICAL as below.
 * <li>HEALTHY: every fragment is live (on a holder whose last proof covered it); for a small
 * tessera, at least r peers hold a live copy. How well a Reed-Solomon tessera is spread is what
 * the peer losses it survives say: a network that lost peers may hold every fragment on fewer than
 * r of them, and the tessera is then whole and healthy, but survives fewer losses.
 * <li>DEGRADED: at least {@code dataShards} distinct fragments are live (rebuildable).
 * <li>CRITICAL: fewer.
 * </ol>
 * Survivable peer losses are computed over the live fragments, or over the acknowledged ones
 * while no proof has been asked. Pure and thread safe.
 */
public final class HealthRules {

    private final Survivability survivability;

    public HealthRules() {
        this(new Survivability());
    }

    public HealthRules(Survivability survivability) {
        this.survivability = survivability;
    }

    /**
     * @param placements every placement of the tessera ({@link PlacementBook#of})
     * @param r the replication factor
     */
    public TesseraStatus status(SignedFragmentPlan signed, List<Placement> placements, Optional<Instant> lastRepair, int r) {
        FragmentPlan plan = signed.plan();
        int total = plan.totalShards();
        boolean small = total == 1;
        Map<NodeId, Set<Integer>> acked = new TreeMap<>();
        Map<NodeId, Set<Integer>> live = new TreeMap<>();
        int pendingCount = 0;
        boolean proven = false;
        for (Placement p : placements) {
            pendingCount += p.state() == State.PENDING ? 1 : 0;
            proven |= p.proof() != Proof.NONE;
            if (p.state() == State.ACKED) {
                acked.computeIfAbsent(p.peer(), k -> new TreeSet<>()).add(p.index());
                if (p.live()) {
                    live.computeIfAbsent(p.peer(), k -> new TreeSet<>()).add(p.index());
                }
            }
        }
        int placed = distinct(acked).size();
        int liveCount = distinct(live).size();
        int copies = small ? live.size() : 0;
        Map<NodeId, Set<Integer>> counted = proven ? live : acked;
        int losses = survivability.peerLosses(counted, plan.dataShards());
        Health health = health(placements.isEmpty(), pendingCount > 0, proven, small, total, plan.dataShards(), r, acked, live);
        return new TesseraStatus(plan.tessera(), health, plan.dataShards(), total, placed, liveCount, copies,
                pendingCount, holders(placements), losses, lastRepair);
    }

    private static Health health(boolean none, boolean pending, boolean proven, boolean small, int total, int dataShards, int r,
            Map<NodeId, Set<Integer>> acked, Map<NodeId, Set<Integer>> live) {
        if (none) {
            return Health.LOCAL;
        }
        if (pending && !proven) {
            return Health.PUBLISHING;
        }
        if (!proven) {
            boolean all = small ? acked.size() >= r : distinct(acked).size() == total;
            return all ? Health.REPLICATED : verdict(distinct(acked).size(), dataShards);
        }
        int liveFragments = distinct(live).size();
        boolean healthy = healthy(small, liveFragments, total, live.size(), r);
        return healthy ? Health.HEALTHY : verdict(liveFragments, dataShards);
    }

    /**
     * The one rule for HEALTHY, shared with the repair report: a small tessera needs r live copies,
     * a Reed-Solomon one every fragment live (on however many peers; survivability says how spread).
     */
    public static boolean healthy(boolean small, int liveFragments, int totalFragments, int liveCopies, int r) {
        return small ? liveCopies >= r : liveFragments == totalFragments;
    }

    private static Health verdict(int fragments, int dataShards) {
        return fragments >= dataShards ? Health.DEGRADED : Health.CRITICAL;
    }

    private static Set<Integer> distinct(Map<NodeId, Set<Integer>> byPeer) {
        Set<Integer> all = new HashSet<>();
        byPeer.values().forEach(all::addAll);
        return all;
    }

    /** One holder per peer with an ACKED placement, in NodeId order; the latest proof among its placements. */
    private static List<Holder> holders(List<Placement> placements) {
        Map<NodeId, List<Placement>> byPeer = new TreeMap<>();
        for (Placement p : placements) {
            if (p.state() == State.ACKED) {
                byPeer.computeIfAbsent(p.peer(), k -> new ArrayList<>()).add(p);
            }
        }
        List<Holder> holders = new ArrayList<>();
        for (Map.Entry<NodeId, List<Placement>> e : byPeer.entrySet()) {
            List<Placement> mine = e.getValue();
            List<Integer> fragments = mine.stream().map(Placement::index).sorted().toList();
            List<Integer> live = mine.stream().filter(Placement::live).map(Placement::index).sorted().toList();
            Placement latest = mine.stream()
                    .max(Comparator.comparing((Placement p) -> p.lastProof().orElse(Instant.MIN))).orElseThrow();
            holders.add(new Holder(e.getKey(), fragments, live, latest.lastProof(), latest.proof(), latest.detail()));
        }
        return holders;
    }
}
