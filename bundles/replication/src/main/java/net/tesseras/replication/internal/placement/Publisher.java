package net.tesseras.replication.internal.placement;

import java.util.Set;
import net.tesseras.identity.NodeId;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraProgress;

/**
 * Puts fragments on peers: chooses holders under the placement rules, offers each its part of the
 * signed plan, sends the accepted fragments from the local store through bounded, retried
 * transfers, and records every placement in the {@link PlacementBook}.
 */
public interface Publisher {

    /**
     * Brings the placement of the given fragments up to target: for a tessera cut by Reed-Solomon,
     * each fragment of {@code indices} without a live or pending holder gets one (spread over as
     * many distinct peers and subnets as the network offers); for a small tessera (one whole
     * fragment), index 0 gets holders until r peers hold it. Peers in {@code avoid} are not chosen.
     * Fragments are read from the local store (repair rebuilds missing ones first). Blocks until
     * every transfer started is acknowledged or has failed; failed ones stay PENDING for the
     * background retries.
     */
    PlaceResult place(SignedFragmentPlan plan, Set<Integer> indices, Set<NodeId> avoid, TesseraProgress progress);

    /**
     * @param placed fragments acknowledged by a new holder in this call
     * @param pending placements left for retries
     * @param bytes bytes sent and acknowledged
     * @param notes one line per refusal or failure, for a person
     */
    record PlaceResult(int placed, int pending, long bytes, java.util.List<String> notes) {
        public PlaceResult {
            notes = java.util.List.copyOf(notes);
        }
    }
}
