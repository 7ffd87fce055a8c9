package net.tesseras.storage;

/**
 * The configured store is not available (down, stopped, or named by no running store); nothing was
 * stored or read, and the call was not sent to another store instead. Retry once it is back.
 */
public class StoreUnavailableException extends FragmentStoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
