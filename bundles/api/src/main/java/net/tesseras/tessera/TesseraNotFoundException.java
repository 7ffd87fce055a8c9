package net.tesseras.tessera;

/** No tessera, or more than one, matches a hash or prefix. */
public class TesseraNotFoundException extends TesseraException {

    private static final long serialVersionUID = 1L;

    public TesseraNotFoundException(String message) {
        super(message);
    }
}
