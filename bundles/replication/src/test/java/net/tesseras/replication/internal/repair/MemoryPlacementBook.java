package net.tesseras.replication.internal.repair;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.placement.PlacementBook;

/** A {@link PlacementBook} in memory, following the interface's javadoc, for repair tests. */
final class MemoryPlacementBook implements PlacementBook {

    private final List<Placement> placements = new ArrayList<>();
    private final Map<ContentHash, Instant> repairs = new HashMap<>();

    @Override
    public synchronized List<ContentHash> tesseras() {
        return placements.stream().map(Placement::tessera).distinct().sorted().toList();
    }

    @Override
    public synchronized List<Placement> of(ContentHash tessera) {
        return placements.stream().filter(p -> p.tessera().equals(tessera))
                .sorted(Comparator.comparingInt(Placement::index).thenComparing(Placement::peer)).toList();
    }

    @Override
    public synchronized List<Placement> due(Instant now, int limit) {
        return placements.stream().filter(p -> p.state() == State.PENDING && !p.nextAttempt().isAfter(now))
                .sorted(Comparator.comparing(Placement::nextAttempt)).limit(limit).toList();
    }

    @Override
    public synchronized void plan(ContentHash tessera, Collection<Placement> added) {
        for (Placement p : added) {
            if (find(tessera, p.index(), p.peer()) < 0) {
                placements.add(p);
            }
        }
    }

    private int find(ContentHash tessera, int index, NodeId peer) {
        for (int i = 0; i < placements.size(); i++) {
            Placement p = placements.get(i);
            if (p.tessera().equals(tessera) && p.index() == index && p.peer().equals(peer)) {
                return i;
            }
        }
        return -1;
    }

    private void update(ContentHash tessera, int index, NodeId peer, java.util.function.UnaryOperator<Placement> change) {
        int i = find(tessera, index, peer);
        if (i >= 0) {
            placements.set(i, change.apply(placements.get(i)));
        }
    }

    @Override
    public synchronized void acked(ContentHash tessera, int index, NodeId peer, Instant at) {
        // As the SQLite book: an ACKED placement keeps its acknowledgement time as its next attempt.
        update(tessera, index, peer, p -> new Placement(p.tessera(), p.index(), p.peer(), State.ACKED, p.attempts(),
                at, p.lastProof(), p.proof(), p.live(), p.detail()));
    }

    @Override
    public synchronized void failed(ContentHash tessera, int index, NodeId peer, String reason, Instant retryAt,
            boolean giveUp) {
        update(tessera, index, peer, p -> new Placement(p.tessera(), p.index(), p.peer(),
                giveUp ? State.LOST : p.state(), p.attempts() + 1, retryAt, p.lastProof(), p.proof(), p.live(), reason));
    }

    @Override
    public synchronized void proved(ContentHash tessera, NodeId peer, Set<Integer> live, Proof outcome, String detail,
            Instant at) {
        for (int i = 0; i < placements.size(); i++) {
            Placement p = placements.get(i);
            if (!p.tessera().equals(tessera) || !p.peer().equals(peer) || p.state() != State.ACKED) {
                continue;
            }
            boolean covered = live.contains(p.index());
            State state = !covered && (outcome == Proof.PASSED || outcome == Proof.FAILED) ? State.LOST : State.ACKED;
            placements.set(i, new Placement(p.tessera(), p.index(), p.peer(), state, p.attempts(), p.nextAttempt(),
                    Optional.of(at), outcome, covered, detail));
        }
    }

    @Override
    public synchronized void lost(ContentHash tessera, int index, NodeId peer, String reason) {
        update(tessera, index, peer, p -> new Placement(p.tessera(), p.index(), p.peer(), State.LOST, p.attempts(),
                p.nextAttempt(), p.lastProof(), p.proof(), false, reason));
    }

    @Override
    public synchronized void repaired(ContentHash tessera, Instant at) {
        repairs.put(tessera, at);
    }

    @Override
    public synchronized Optional<Instant> lastRepair(ContentHash tessera) {
        return Optional.ofNullable(repairs.get(tessera));
    }

    @Override
    public synchronized void forget(ContentHash tessera) {
        placements.removeIf(p -> p.tessera().equals(tessera));
        repairs.remove(tessera);
    }
}
