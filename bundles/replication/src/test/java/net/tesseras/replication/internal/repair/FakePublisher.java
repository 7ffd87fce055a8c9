package net.tesseras.replication.internal.repair;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.internal.placement.PlacementBook;
import net.tesseras.replication.internal.placement.Publisher;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraProgress;

/**
 * Places each fragment on the next spare peer not avoided and not already holding it: reads it from
 * the local store (as the real publisher does, so a fragment not held good here cannot be placed)
 * and records it ACKED in the book.
 */
final class FakePublisher implements Publisher {

    record Call(Set<Integer> indices, Set<NodeId> avoid) {
    }

    private final PlacementBook book;
    private final FragmentStore store;
    private final List<NodeId> spares;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    private int next;

    FakePublisher(PlacementBook book, FragmentStore store, List<NodeId> spares) {
        this.book = book;
        this.store = store;
        this.spares = spares;
    }

    @Override
    public PlaceResult place(SignedFragmentPlan plan, Set<Integer> indices, Set<NodeId> avoid, TesseraProgress progress) {
        calls.add(new Call(Set.copyOf(indices), Set.copyOf(avoid)));
        int placed = 0;
        long bytes = 0;
        List<String> notes = new ArrayList<>();
        for (int index : indices) {
            var data = store.read(plan.plan().tessera(), index);
            if (data.isEmpty()) {
                notes.add("fragment " + index + " is not held here");
                continue;
            }
            NodeId peer = null;
            for (int tries = 0; tries < spares.size() && peer == null; tries++) {
                NodeId candidate = spares.get(next++ % spares.size());
                boolean holds = book.of(plan.plan().tessera()).stream().anyMatch(p -> p.peer().equals(candidate)
                        && p.index() == index && p.state() != PlacementBook.State.LOST);
                if (!avoid.contains(candidate) && !holds) {
                    peer = candidate;
                }
            }
            if (peer == null) {
                notes.add("no peer left for fragment " + index);
                continue;
            }
            Instant now = Instant.now();
            book.plan(plan.plan().tessera(), List.of(PlacementBook.Placement.pending(plan.plan().tessera(), index, peer, now)));
            book.acked(plan.plan().tessera(), index, peer, now);
            placed++;
            bytes += data.get().remaining();
        }
        return new PlaceResult(placed, 0, bytes, notes);
    }
}
