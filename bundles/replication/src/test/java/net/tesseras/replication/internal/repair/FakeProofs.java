package net.tesseras.replication.internal.repair;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.placement.PlacementBook;
import net.tesseras.replication.internal.proof.Proofs;
import net.tesseras.tessera.SignedFragmentPlan;

/**
 * Proofs as a holder would give them: by default every holder attests what the book says it holds
 * and passes every challenge; a test makes one silent, give a bad signature, or fail chunks.
 */
final class FakeProofs implements Proofs {

    enum Behaviour {
        HONEST, SILENT, BAD_SIGNATURE,
        /** Attests from its index and answers every challenge OVERLOADED: it proves nothing. */
        REFUSES_CHALLENGES,
        /** The node stops while this holder is asked: the asking thread is interrupted. */
        INTERRUPTED
    }

    private final PlacementBook book;
    private final Map<NodeId, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<NodeId, Set<Integer>> failsChallengeOn = new ConcurrentHashMap<>();
    final List<String> challenged = new CopyOnWriteArrayList<>();

    FakeProofs(PlacementBook book) {
        this.book = book;
    }

    void behave(NodeId peer, Behaviour behaviour) {
        behaviours.put(peer, behaviour);
    }

    private volatile net.tesseras.core.ContentHash throwing;

    /** Attestations of this tessera throw, as a broken collaborator would. */
    void throwFor(net.tesseras.core.ContentHash tessera) {
        throwing = tessera;
    }

    void failChallengeOn(NodeId peer, Set<Integer> indices) {
        failsChallengeOn.put(peer, indices);
    }

    @Override
    public AttestationCheck attest(Peer holder, SignedFragmentPlan plan) {
        if (plan.plan().tessera().equals(throwing)) {
            throw new IllegalStateException("proof service gone");
        }
        return switch (behaviours.getOrDefault(holder.nodeId(), Behaviour.HONEST)) {
            case SILENT -> new AttestationCheck(Proof.UNREACHABLE, new TreeSet<>(), "timeout");
            case BAD_SIGNATURE -> new AttestationCheck(Proof.FAILED, new TreeSet<>(), "the signature does not verify");
            case INTERRUPTED -> {
                Thread.currentThread().interrupt();
                yield new AttestationCheck(Proof.UNREACHABLE, new TreeSet<>(), "interrupted while waiting");
            }
            case HONEST, REFUSES_CHALLENGES -> {
                SortedSet<Integer> held = new TreeSet<>();
                book.of(plan.plan().tessera()).stream()
                        .filter(p -> p.peer().equals(holder.nodeId()) && p.state() == PlacementBook.State.ACKED)
                        .forEach(p -> held.add(p.index()));
                yield new AttestationCheck(Proof.PASSED, held, "");
            }
        };
    }

    @Override
    public ChallengeCheck challenge(Peer holder, SignedFragmentPlan plan, Collection<Integer> fragments, int chunksPerFragment) {
        challenged.add(holder.nodeId().toHex() + " " + new TreeSet<>(fragments));
        if (behaviours.get(holder.nodeId()) == Behaviour.REFUSES_CHALLENGES) {
            return new ChallengeCheck(Proof.UNREACHABLE, new TreeSet<>(), new TreeSet<>(), 0, "OVERLOADED, busy");
        }
        Set<Integer> bad = failsChallengeOn.getOrDefault(holder.nodeId(), Set.of());
        SortedSet<Integer> passed = new TreeSet<>(fragments);
        passed.removeAll(bad);
        SortedSet<Integer> failed = new TreeSet<>(fragments);
        failed.retainAll(bad);
        return new ChallengeCheck(failed.isEmpty() ? Proof.PASSED : Proof.FAILED, passed, failed,
                (long) fragments.size() * chunksPerFragment * 1024, failed.isEmpty() ? "" : "chunk proof mismatch");
    }
}
