package net.tesseras.storage;

import java.util.Objects;
import net.tesseras.core.FragmentId;

/**
 * The outcome of re-hashing one stored fragment.
 *
 * @param id the fragment as the index records it
 * @param status what was found
 * @param detail a sentence for people when the status is not {@link Status#OK}, else empty
 */
public record VerifyResult(FragmentId id, Status status, String detail) {

    /** What verification found. */
    public enum Status {
        /** The stored bytes hash to the recorded checksum. */
        OK,
        /** The bytes are there but do not hash to the recorded checksum. */
        CORRUPT,
        /** The index records the fragment but its bytes cannot be found. */
        MISSING
    }

    public VerifyResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
