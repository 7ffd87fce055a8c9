package net.tesseras.storage;

/**
 * A store could not do what was asked; the message names the fragment and the cause. The store is
 * left as it was before the call.
 */
public class FragmentStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FragmentStoreException(String message) {
        super(message);
    }

    public FragmentStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
