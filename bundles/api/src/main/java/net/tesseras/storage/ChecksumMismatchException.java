package net.tesseras.storage;

import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;

/** The bytes offered for a fragment do not hash to its checksum; they were not stored. */
public class ChecksumMismatchException extends FragmentStoreException {
    private static final long serialVersionUID = 1L;

    private final transient FragmentId id;
    private final transient ContentHash actual;

    public ChecksumMismatchException(FragmentId id, ContentHash actual) {
        super("refused fragment " + id.index() + " of tessera " + id.tessera() + ": its bytes hash to "
                + actual + " but the checksum given is " + id.checksum());
        this.id = id;
        this.actual = actual;
    }

    /** The fragment as it was offered. */
    public FragmentId id() {
        return id;
    }

    /** The BLAKE3 hash of the bytes actually received. */
    public ContentHash actual() {
        return actual;
    }
}
