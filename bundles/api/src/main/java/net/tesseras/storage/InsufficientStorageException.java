package net.tesseras.storage;

/** There is not enough free space to store a fragment; nothing was stored. */
public class InsufficientStorageException extends FragmentStoreException {
    private static final long serialVersionUID = 1L;

    public InsufficientStorageException(String message) {
        super(message);
    }

    public InsufficientStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
