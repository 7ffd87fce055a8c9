package net.tesseras.replication.internal.placement;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus.Proof;

/**
 * Which fragment of which tessera this node placed on which peer, and how it stands: persisted, so a
 * restart or a stopped bundle resumes pending transfers where they were. Thread safe.
 */
public interface PlacementBook {

    /** The tesseras this node places (published or being published), in hash order. */
    List<ContentHash> tesseras();

    /** Every placement of the tessera, by index then peer. */
    List<Placement> of(ContentHash tessera);

    /** Placements due for a (re)try: PENDING with {@code nextAttempt <= now}, oldest first. */
    List<Placement> due(Instant now, int limit);

    /** Records new PENDING placements (idempotent for an existing tessera, index and peer). */
    void plan(ContentHash tessera, Collection<Placement> placements);

    /** The peer acknowledged the fragment: ACKED. */
    void acked(ContentHash tessera, int index, NodeId peer, Instant at);

    /** A try failed: attempts + 1, next attempt at {@code retryAt} (backoff), or LOST when {@code giveUp}. */
    void failed(ContentHash tessera, int index, NodeId peer, String reason, Instant retryAt, boolean giveUp);

    /**
     * A proof of {@code peer} for the tessera: the indices it proved ({@code live}); its other ACKED
     * placements become LOST when {@code outcome} is PASSED or FAILED (an UNREACHABLE peer keeps
     * them ACKED until repair decides), and the proof time and outcome are recorded on all of them.
     */
    void proved(ContentHash tessera, NodeId peer, Set<Integer> live, Proof outcome, String detail, Instant at);

    /** The placement is lost (the holder is gone or failed): LOST. */
    void lost(ContentHash tessera, int index, NodeId peer, String reason);

    /** When a repair pass last looked at the tessera. */
    void repaired(ContentHash tessera, Instant at);

    Optional<Instant> lastRepair(ContentHash tessera);

    /** Forgets the tessera (it was deleted). */
    void forget(ContentHash tessera);

    /** The state of one placement. */
    enum State {
        PENDING, ACKED, LOST
    }

    /**
     * One fragment on one peer.
     *
     * @param live whether the peer's last proof covered it (false before any proof)
     */
    record Placement(ContentHash tessera, int index, NodeId peer, State state, int attempts, Instant nextAttempt,
            Optional<Instant> lastProof, Proof proof, boolean live, String detail) {

        public Placement {
            Objects.requireNonNull(tessera, "tessera");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(nextAttempt, "nextAttempt");
            Objects.requireNonNull(lastProof, "lastProof");
            Objects.requireNonNull(proof, "proof");
            Objects.requireNonNull(detail, "detail");
        }

        /** A new pending placement, due now. */
        public static Placement pending(ContentHash tessera, int index, NodeId peer, Instant now) {
            return new Placement(tessera, index, peer, State.PENDING, 0, now, Optional.empty(), Proof.NONE, false, "");
        }
    }
}
