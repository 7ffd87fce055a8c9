package net.tesseras.tessera;

import java.util.List;
import java.util.Objects;

/**
 * A tessera described in full: its record, its manifest and signed plan, and the state of every
 * fragment in the store (from the index alone; {@link TesseraService#verify} reads the bytes).
 */
public record TesseraDetails(TesseraInfo info, Manifest manifest, SignedFragmentPlan plan, List<FragmentState> fragments) {

    public TesseraDetails {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(plan, "plan");
        fragments = List.copyOf(fragments);
    }

    /** How many fragments the store holds with the plan's checksum. */
    public long held() {
        return fragments.stream().filter(f -> f.state() == FragmentState.State.HELD).count();
    }

    /**
     * One fragment of the plan and what the store holds of it.
     *
     * @param index the fragment index
     * @param parity whether it is a parity shard
     * @param state held, missing, or held with a checksum other than the plan's
     */
    public record FragmentState(int index, boolean parity, State state) {

        public enum State {
            HELD, MISSING, OTHER_CHECKSUM
        }
    }
}
