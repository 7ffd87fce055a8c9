package net.tesseras.core;

import java.util.Objects;

/**
 * The identity of one fragment of a tessera.
 *
 * @param tessera the content hash of the tessera the fragment belongs to
 * @param index the fragment's position, 0 to 65535
 * @param parity whether the fragment holds erasure-coding parity rather than data (index at or
 *     beyond the number of data shards)
 * @param checksum the BLAKE3 hash of the fragment's bytes
 */
public record FragmentId(ContentHash tessera, int index, boolean parity, ContentHash checksum) {

    /** The largest fragment index (indices are unsigned 16-bit numbers). */
    public static final int MAX_INDEX = 0xFFFF;

    public FragmentId {
        Objects.requireNonNull(tessera, "tessera");
        Objects.requireNonNull(checksum, "checksum");
        checkIndex(index);
    }

    /**
     * Checks that {@code index} is a valid fragment index.
     *
     * @return the index
     * @throws IllegalArgumentException if it is outside 0..65535
     */
    public static int checkIndex(int index) {
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException(
                    "fragment index must be between 0 and " + MAX_INDEX + ", got " + index);
        }
        return index;
    }

    @Override
    public String toString() {
        return tessera.toHex() + "/" + index + (parity ? "p" : "d") + "@" + checksum.toShortHex(16);
    }
}
