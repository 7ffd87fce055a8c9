package net.tesseras.tessera.internal;

import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.FragmentPlan;
import org.slf4j.Logger;

/** Removes what a failed or interrupted creation, or a deletion, stored of a tessera. */
final class Undo {

    private Undo() {}

    /**
     * Deletes the fragments of the plan's tessera that carry the plan's checksums. Fragments with
     * other bytes under the same hash are not ours (a raw put, a peer's copy) and are left alone.
     *
     * @return how many fragments were deleted
     */
    static int removeFragments(FragmentStore store, FragmentPlan plan, Logger log) {
        int removed = 0;
        for (FragmentInfo held : store.fragments(plan.tessera())) {
            int index = held.id().index();
            if (index < plan.checksums().size() && held.id().checksum().equals(plan.checksums().get(index))) {
                try {
                    if (store.delete(plan.tessera(), index)) {
                        removed++;
                    }
                } catch (RuntimeException e) {
                    log.warn("Could not delete fragment {} of tessera {}: {}; tesseras:verify lists what is left",
                            index, plan.tessera(), e.getMessage());
                }
            }
        }
        return removed;
    }
}
