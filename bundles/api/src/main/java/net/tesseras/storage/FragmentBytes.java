package net.tesseras.storage;

import java.nio.ByteBuffer;
import java.util.Objects;
import net.tesseras.core.FragmentId;

/**
 * A fragment's identity and its bytes, one element of a {@link FragmentStore#storeAll batch store}.
 *
 * @param id the fragment, including the checksum its bytes must have
 * @param data the bytes from position to limit; stores do not move its position
 */
public record FragmentBytes(FragmentId id, ByteBuffer data) {

    public FragmentBytes {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(data, "data");
    }
}
