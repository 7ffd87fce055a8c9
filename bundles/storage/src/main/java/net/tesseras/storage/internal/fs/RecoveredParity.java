package net.tesseras.storage.internal.fs;

import java.util.Collection;
import java.util.SortedSet;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;

/**
 * Whether a shard re-indexed from its file is parity: the file's path names its tessera and index
 * and its bytes give its checksum, but parity (index at or beyond the tessera's data shard count)
 * is recorded nowhere but the lost row.
 *
 * <p>The tessera's surviving rows decide when they can: an index at or above a known parity index
 * is parity, one at or below a known data index is data. Otherwise the tiers of the design decide:
 * 16 data + 8 parity (indices 16..23 parity) unless an index of 24 or more shows 48 + 24 (indices
 * 48..71 parity). The flag only labels listings; attestations, reads and repairs go by index and
 * checksum.
 */
final class RecoveredParity {

    static final int MEDIUM_DATA = 16;
    static final int MEDIUM_TOTAL = 24;
    static final int LARGE_DATA = 48;
    static final int LARGE_TOTAL = 72;

    private RecoveredParity() {}

    static boolean guess(int index, Collection<FragmentInfo> rows, SortedSet<Integer> onDisk) {
        int firstParity = rows.stream().filter(r -> r.id().parity()).mapToInt(r -> r.id().index())
                .min().orElse(FragmentId.MAX_INDEX + 1);
        int lastData = rows.stream().filter(r -> !r.id().parity()).mapToInt(r -> r.id().index()).max().orElse(-1);
        if (index >= firstParity) {
            return true;
        }
        if (index <= lastData) {
            return false;
        }
        int highest = Math.max(onDisk.isEmpty() ? -1 : onDisk.last(),
                rows.stream().mapToInt(r -> r.id().index()).max().orElse(-1));
        if (highest >= MEDIUM_TOTAL) {
            return index >= LARGE_DATA && index < LARGE_TOTAL;
        }
        return index >= MEDIUM_DATA && index < MEDIUM_TOTAL;
    }
}
