package net.tesseras.storage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import net.tesseras.core.FragmentId;

/**
 * What a store's index records about one fragment.
 *
 * @param id the fragment's identity (with its parity flag and checksum)
 * @param size the fragment's length in bytes
 * @param storedAt when the store acknowledged it
 * @param lastVerified when its bytes were last re-hashed and found intact, if ever
 */
public record FragmentInfo(FragmentId id, long size, Instant storedAt, Optional<Instant> lastVerified) {

    public FragmentInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(storedAt, "storedAt");
        Objects.requireNonNull(lastVerified, "lastVerified");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
    }
}
