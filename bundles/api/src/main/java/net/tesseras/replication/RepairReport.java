package net.tesseras.replication;

import java.util.List;
import java.util.Objects;
import net.tesseras.core.ContentHash;

/**
 * What one repair pass did, tessera by tessera.
 *
 * @param tesseras one entry per tessera looked at
 */
public record RepairReport(List<TesseraRepair> tesseras) {

    public RepairReport {
        tesseras = List.copyOf(tesseras);
    }

    /**
     * What the pass did for one tessera.
     *
     * @param tessera its hash
     * @param holdersAsked holders asked for an attestation
     * @param proofsFailed holders whose attestation or challenge failed, or that did not answer
     * @param fragmentsLost distinct fragments found not live before the repair
     * @param localRebuilt fragments of this node's own store rebuilt (missing or damaged)
     * @param fragmentsPlaced fragments placed on peers (new holders)
     * @param before the health before the pass
     * @param after the health after it
     * @param notes one line per notable event, for a person
     */
    public record TesseraRepair(ContentHash tessera, int holdersAsked, int proofsFailed, int fragmentsLost, int localRebuilt,
            int fragmentsPlaced, TesseraStatus.Health before, TesseraStatus.Health after, List<String> notes) {

        public TesseraRepair {
            Objects.requireNonNull(tessera, "tessera");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
            notes = List.copyOf(notes);
        }
    }
}
