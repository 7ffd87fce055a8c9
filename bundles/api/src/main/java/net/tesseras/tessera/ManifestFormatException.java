package net.tesseras.tessera;

/** A manifest that does not follow the manifest v1 text format; the message names the line and the fault. */
public class ManifestFormatException extends TesseraFormatException {

    private static final long serialVersionUID = 1L;

    /**
     * @param line the 1-based line the problem is on, or 0 when it concerns the whole manifest
     * @param problem what is wrong, for a person
     */
    public ManifestFormatException(int line, String problem) {
        super("manifest", line, problem);
    }
}
