package net.tesseras.replication.internal.repair;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus.Health;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.placement.HealthRules;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.PlacementBook.State;
import net.tesseras.tessera.FragmentPlan;

/**
 * Decides what a repair pass does for one tessera, from what its proofs found: which fragments the
 * network lost, which of this node's own fragments to rebuild, whether fragments must be fetched
 * from peers first and from whom, which holders placement must avoid, and which placements of
 * holders unreachable for too long count as lost. Pure: no I/O, no clock of its own.
 *
 * <p>The grace rule: a holder that gives no proof (it does not answer, or answers a challenge with
 * OVERLOADED, UNAVAILABLE or INTERNAL) keeps its placements (they still count) while the time since
 * it last PASSED a full proof of them (attestation and, where challenged, the challenge) is shorter
 * than the grace; a holder never proven yet runs from when it acknowledged the placement. Past the
 * grace its fragments count as lost and are placed again. Answering something is not enough: a
 * holder that kept its index rows but dropped the bytes could otherwise attest and refuse every
 * challenge forever. A holder whose proof FAILED loses the fragments it did not prove at once.
 */
public final class RepairPlanner {

    private final int replicationFactor;
    private final Duration unreachableGrace;

    /**
     * @param replicationFactor r: distinct peers a tessera is spread over, copies of a small one
     * @param unreachableGrace how long a holder may go without a passed proof before its fragments count as lost
     */
    public RepairPlanner(int replicationFactor, Duration unreachableGrace) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("the replication factor is at least 1, not " + replicationFactor);
        }
        if (unreachableGrace.isNegative()) {
            throw new IllegalArgumentException("the unreachable grace must not be negative: " + unreachableGrace);
        }
        this.replicationFactor = replicationFactor;
        this.unreachableGrace = unreachableGrace;
    }

    /**
     * How one holder's proof went on this pass.
     *
     * @param outcome PASSED, FAILED or UNREACHABLE (NONE: not asked, treated as UNREACHABLE)
     * @param lastProven for a holder without proof on this pass: when the grace runs from (its last
     *        passed proof, else its acknowledgement); empty when unknown (the grace is then over)
     */
    public record Verdict(NodeId peer, Proof outcome, Optional<Instant> lastProven, String detail) {
        public Verdict {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(lastProven, "lastProven");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * This node's own fragments of the tessera.
     *
     * @param good indices held whose bytes hash to the plan's checksum
     * @param damaged indices held whose bytes do not (bit rot, other bytes)
     * @param fullCopy whether this node keeps every fragment (it created or adopted the tessera)
     */
    public record Local(SortedSet<Integer> good, SortedSet<Integer> damaged, boolean fullCopy) {
        public Local {
            good = Collections.unmodifiableSortedSet(new TreeSet<>(good));
            damaged = Collections.unmodifiableSortedSet(new TreeSet<>(damaged));
        }
    }

    /**
     * What to do.
     *
     * @param lost fragments without a live or pending holder (after the grace rule): to place again
     * @param liveBefore distinct fragments live on peers (proved, or unreachable within grace)
     * @param expired placements of holders unreachable past the grace: to record LOST
     * @param rebuild local fragments to regenerate (missing or damaged), before placing
     * @param fetchCount good fragments to fetch from peers first, so that {@code dataShards} are held locally
     * @param fetchSources indices worth fetching, in order of preference, each with the holders that proved it
     * @param avoid holders placement must not choose (failed or unanswering)
     * @param notes one line per decision, for a person
     */
    public record Decision(SortedSet<Integer> lost, int liveBefore, List<Placement> expired, SortedSet<Integer> rebuild,
            int fetchCount, Map<Integer, List<NodeId>> fetchSources, Set<NodeId> avoid, List<String> notes) {
        public Decision {
            lost = Collections.unmodifiableSortedSet(new TreeSet<>(lost));
            expired = List.copyOf(expired);
            rebuild = Collections.unmodifiableSortedSet(new TreeSet<>(rebuild));
            fetchSources = Collections.unmodifiableMap(new LinkedHashMap<>(fetchSources));
            avoid = Set.copyOf(avoid);
            notes = List.copyOf(notes);
        }

        /** Whether fragments must come from peers before anything can be rebuilt. */
        public boolean fetchNeeded() {
            return fetchCount > 0;
        }
    }

    /**
     * @param placements the tessera's placements as the book holds them after this pass's proofs
     * @param verdicts this pass's proof of each holder, by NodeId
     */
    public Decision plan(FragmentPlan plan, List<Placement> placements, Map<NodeId, Verdict> verdicts, Local local,
            Instant now) {
        List<String> notes = new ArrayList<>();
        Set<NodeId> avoid = new HashSet<>();
        List<Placement> expired = new ArrayList<>();
        // Per index: peers counted as holding it (live, pending, or unanswering within grace).
        Map<Integer, Set<NodeId>> holding = new TreeMap<>();
        // Per index: peers that proved it on this pass, the only ones worth fetching from.
        Map<Integer, List<NodeId>> proven = new TreeMap<>();
        Map<NodeId, SortedSet<Integer>> lostByHolder = new TreeMap<>();
        Map<NodeId, SortedSet<Integer>> keptByHolder = new TreeMap<>();
        // Failed or silent on this pass: whatever the book still says of them, no new fragment goes there.
        verdicts.values().stream().filter(v -> v.outcome() != Proof.PASSED).forEach(v -> avoid.add(v.peer()));
        for (Placement placement : placements) {
            if (placement.state() == State.LOST || placement.index() < 0 || placement.index() >= plan.totalShards()) {
                continue;
            }
            int index = placement.index();
            NodeId peer = placement.peer();
            if (placement.state() == State.PENDING) {
                holding.computeIfAbsent(index, i -> new HashSet<>()).add(peer);
                continue;
            }
            Verdict verdict = verdicts.get(peer);
            Proof outcome = verdict == null ? Proof.UNREACHABLE : verdict.outcome();
            switch (outcome) {
                case PASSED, FAILED -> {
                    if (placement.live()) {
                        holding.computeIfAbsent(index, i -> new HashSet<>()).add(peer);
                        proven.computeIfAbsent(index, i -> new ArrayList<>()).add(peer);
                    } else {
                        lostByHolder.computeIfAbsent(peer, p -> new TreeSet<>()).add(index);
                    }
                }
                case UNREACHABLE, NONE -> {
                    avoid.add(peer);
                    Optional<Instant> lastProven = verdict == null ? Optional.empty() : verdict.lastProven();
                    if (withinGrace(lastProven, now)) {
                        holding.computeIfAbsent(index, i -> new HashSet<>()).add(peer);
                        keptByHolder.computeIfAbsent(peer, p -> new TreeSet<>()).add(index);
                    } else {
                        expired.add(placement);
                        lostByHolder.computeIfAbsent(peer, p -> new TreeSet<>()).add(index);
                    }
                }
            }
        }
        for (Map.Entry<NodeId, SortedSet<Integer>> entry : lostByHolder.entrySet()) {
            Verdict verdict = verdicts.get(entry.getKey());
            boolean failed = verdict != null && verdict.outcome() == Proof.FAILED;
            notes.add("holder " + entry.getKey().toHex() + (failed ? " failed its proof (" + verdict.detail() + ")"
                    : verdict != null && verdict.outcome() == Proof.PASSED ? " no longer proves them"
                    : " has given no proof for longer than the grace of " + unreachableGrace + " (last proven "
                            + (verdict == null ? "never" : verdict.lastProven().map(Instant::toString).orElse("never")) + ")")
                    + ": fragments " + entry.getValue() + " count as lost");
        }
        for (Map.Entry<NodeId, SortedSet<Integer>> entry : keptByHolder.entrySet()) {
            Instant lastProven = verdicts.get(entry.getKey()).lastProven().orElseThrow();
            notes.add("holder " + entry.getKey().toHex() + " gave no proof; it was last proven (or acknowledged) at " + lastProven
                    + ", within the grace of " + unreachableGrace + ", so fragments " + entry.getValue()
                    + " still count until " + lastProven.plus(unreachableGrace));
        }

        boolean wholeCopies = plan.parityShards() == 0 && plan.dataShards() == 1;
        SortedSet<Integer> lost = new TreeSet<>();
        int live;
        if (wholeCopies) {
            int copies = holding.getOrDefault(0, Set.of()).size();
            live = copies > 0 ? 1 : 0;
            if (copies < replicationFactor) {
                lost.add(0);
                notes.add(copies + " of " + replicationFactor + " whole copies held on peers: " + (replicationFactor - copies)
                        + " more to place");
            }
        } else {
            for (int index = 0; index < plan.totalShards(); index++) {
                if (holding.getOrDefault(index, Set.of()).isEmpty()) {
                    lost.add(index);
                }
            }
            live = plan.totalShards() - lost.size();
            if (!lost.isEmpty()) {
                notes.add(lost.size() + " of " + plan.totalShards() + " fragments have no live or pending holder: " + lost);
            }
        }

        Set<Integer> notGoodLocally = new TreeSet<>();
        for (int index = 0; index < plan.totalShards(); index++) {
            if (!local.good().contains(index)) {
                notGoodLocally.add(index);
            }
        }
        SortedSet<Integer> rebuild = new TreeSet<>(notGoodLocally);
        if (!local.fullCopy()) {
            rebuild.retainAll(lost); // a node that keeps only some fragments rebuilds only what it must place
        }
        if (!local.damaged().isEmpty()) {
            notes.add("local fragments " + local.damaged() + " are damaged (they fail their checksum)");
        }
        if (!rebuild.isEmpty()) {
            notes.add("local fragments to restore: " + rebuild);
        }

        int fetchCount = rebuild.isEmpty() ? 0 : Math.max(0, plan.dataShards() - local.good().size());
        Map<Integer, List<NodeId>> sources = new LinkedHashMap<>();
        if (fetchCount > 0) {
            // Fragments this node must restore first (fetched, they need no rebuild), then data before parity.
            List<Integer> order = new ArrayList<>(proven.keySet());
            order.removeIf(local.good()::contains);
            order.sort(Comparator.<Integer, Boolean>comparing(i -> !rebuild.contains(i)).thenComparing(i -> i));
            for (int index : order) {
                sources.put(index, List.copyOf(proven.get(index)));
            }
            notes.add("this node holds " + local.good().size() + " good fragments of the " + plan.dataShards()
                    + " needed: fetch " + fetchCount + " from peers (" + sources.size() + " fetchable)");
            if (sources.size() < fetchCount) {
                notes.add("only " + sources.size() + " fragments are proven on reachable peers, " + fetchCount
                        + " are needed: the tessera cannot be repaired now");
            }
        }
        return new Decision(lost, live, expired, rebuild, fetchCount, sources, avoid, notes);
    }

    private boolean withinGrace(Optional<Instant> lastProven, Instant now) {
        return lastProven.isPresent() && lastProven.get().plus(unreachableGrace).isAfter(now);
    }

    /**
     * The verdict on a tessera from its placements (see {@link Health}).
     *
     * @param countUnproven whether ACKED placements never proved yet count as live (right after a
     *        repair placed them; a later pass proves them)
     */
    public Health health(FragmentPlan plan, List<Placement> placements, boolean countUnproven) {
        List<Placement> kept = placements.stream().filter(p -> p.state() != State.LOST).toList();
        if (kept.isEmpty()) {
            return placements.isEmpty() ? Health.LOCAL : Health.CRITICAL;
        }
        boolean anyProof = kept.stream().anyMatch(p -> p.proof() != Proof.NONE);
        boolean pending = kept.stream().anyMatch(p -> p.state() == State.PENDING);
        if (!anyProof && !countUnproven) {
            return pending ? Health.PUBLISHING : Health.REPLICATED;
        }
        Map<Integer, Set<NodeId>> live = new TreeMap<>();
        for (Placement p : kept) {
            boolean counts = p.state() == State.ACKED && (p.live() || (countUnproven && p.proof() == Proof.NONE));
            if (counts) {
                live.computeIfAbsent(p.index(), i -> new HashSet<>()).add(p.peer());
            }
        }
        boolean wholeCopies = plan.parityShards() == 0 && plan.dataShards() == 1;
        int liveFragments = live.size();
        if (HealthRules.healthy(wholeCopies, liveFragments, plan.totalShards(), live.getOrDefault(0, Set.of()).size(),
                replicationFactor)) {
            return Health.HEALTHY;
        }
        if (pending && liveFragments >= plan.dataShards()) {
            return Health.PUBLISHING;
        }
        return liveFragments >= plan.dataShards() ? Health.DEGRADED : Health.CRITICAL;
    }
}
