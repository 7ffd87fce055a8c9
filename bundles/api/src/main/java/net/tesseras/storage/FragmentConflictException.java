package net.tesseras.storage;

import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;

/**
 * The store already holds a different fragment at that tessera and index. Fragments are immutable,
 * so the stored one is kept and the new one refused.
 */
public class FragmentConflictException extends FragmentStoreException {
    private static final long serialVersionUID = 1L;

    public FragmentConflictException(FragmentId offered, ContentHash held) {
        super("fragment " + offered.index() + " of tessera " + offered.tessera()
                + " is already stored with checksum " + held + "; refusing different bytes with checksum "
                + offered.checksum());
    }
}
