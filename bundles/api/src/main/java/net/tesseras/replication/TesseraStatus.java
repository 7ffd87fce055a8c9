package net.tesseras.replication;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;

/**
 * Where a tessera this node manages stands in the network.
 *
 * @param tessera the tessera's hash
 * @param health the verdict (see {@link Health})
 * @param dataShards fragments needed to rebuild it (1 for a small tessera, whose copies are whole)
 * @param totalFragments fragments of its plan
 * @param placedFragments distinct fragments a peer acknowledged storing
 * @param liveFragments distinct fragments whose holder passed its last proof
 * @param copies for a small tessera, peers whose last proof passed; otherwise 0
 * @param pendingPlacements placements waiting for a transfer or a retry (a fragment on a peer each)
 * @param holders the peers holding fragments of it
 * @param survivablePeerLosses how many holders may be lost, whichever they are, with {@code dataShards}
 *        distinct live fragments left on the others (-1 when even now fewer are live)
 * @param lastRepair when a repair pass last looked at it
 */
public record TesseraStatus(ContentHash tessera, Health health, int dataShards, int totalFragments, int placedFragments,
        int liveFragments, int copies, int pendingPlacements, List<Holder> holders, int survivablePeerLosses, Optional<Instant> lastRepair) {

    public TesseraStatus {
        Objects.requireNonNull(tessera, "tessera");
        Objects.requireNonNull(health, "health");
        holders = List.copyOf(holders);
        Objects.requireNonNull(lastRepair, "lastRepair");
    }

    /** The verdict, from least to most replicated and then from healthy to critical. */
    public enum Health {
        /** Not published: only this node holds it. */
        LOCAL,
        /** Being placed: some placements are not yet acknowledged. */
        PUBLISHING,
        /** Every fragment is acknowledged by a peer; no proof has been asked yet. */
        REPLICATED,
        /** Every fragment (every one of r copies, for a small tessera) is proven live, on r distinct peers at least. */
        HEALTHY,
        /** Fewer than all, but at least {@code dataShards}, fragments are proven live: rebuildable, to be repaired. */
        DEGRADED,
        /** Fewer than {@code dataShards} fragments are proven live on peers: the network alone cannot rebuild it. */
        CRITICAL
    }

    /** How the last proof asked of a holder went. */
    public enum Proof {
        /** None asked yet. */
        NONE,
        /** The signed attestation listed the fragments and every challenged chunk verified. */
        PASSED,
        /** The attestation or a challenge failed verification, or fragments were missing from it. */
        FAILED,
        /** The holder did not answer. */
        UNREACHABLE
    }

    /**
     * One peer holding fragments of the tessera.
     *
     * @param peer its NodeId
     * @param fragments the fragment indices it acknowledged, ascending
     * @param live the indices its last proof covered, ascending
     * @param lastProof when it was last asked
     * @param proof how that went
     * @param detail why a proof failed, or empty
     */
    public record Holder(NodeId peer, List<Integer> fragments, List<Integer> live, Optional<Instant> lastProof, Proof proof,
            String detail) {

        public Holder {
            Objects.requireNonNull(peer, "peer");
            fragments = List.copyOf(fragments);
            live = List.copyOf(live);
            Objects.requireNonNull(lastProof, "lastProof");
            Objects.requireNonNull(proof, "proof");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
