package net.tesseras.tessera.internal;

import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.FragmentPlan;
import org.slf4j.Logger;

/** Removes what a failed or interrupted creation, or a deletion, stored of a tessera. */
final class Undo {

    /** What {@link #removeFragments} did: fragments deleted, and those that could not be. */
    record Removed(int removed, int failed) {
        boolean complete() {
            return failed == 0;
        }
    }

    private Undo() {}

    /**
     * Deletes the fragments of the plan's tessera that carry the plan's checksums. Fragments with
     * other bytes under the same hash are not ours (a raw put, a peer's copy) and are left alone.
     * A fragment that cannot be deleted is logged and counted, so that the caller keeps the record
     * that lets a later start try again.
     */
    static Removed removeFragments(FragmentStore store, FragmentPlan plan, Logger log) {
        int removed = 0;
        int failed = 0;
        for (FragmentInfo held : store.fragments(plan.tessera())) {
            int index = held.id().index();
            if (index < plan.checksums().size() && held.id().checksum().equals(plan.checksums().get(index))) {
                try {
                    if (store.delete(plan.tessera(), index)) {
                        removed++;
                    }
                } catch (RuntimeException e) {
                    failed++;
                    log.warn("Could not delete fragment {} of tessera {}: {}; the next start tries again",
                            index, plan.tessera(), e.getMessage());
                }
            }
        }
        return new Removed(removed, failed);
    }
}
