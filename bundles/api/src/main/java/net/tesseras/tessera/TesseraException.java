package net.tesseras.tessera;

/** A tessera operation failed; the message names the input and says what to do. */
public class TesseraException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TesseraException(String message) {
        super(message);
    }

    public TesseraException(String message, Throwable cause) {
        super(message, cause);
    }
}
