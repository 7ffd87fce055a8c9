package net.tesseras.tessera;

/**
 * Bytes that do not follow one of the tessera text formats ({@link Manifest}, {@link FragmentPlan},
 * {@link SignedFragmentPlan}). The message names the line and what is wrong with it, so a person
 * can find the fault in the text.
 */
public abstract class TesseraFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int line;

    /**
     * @param format the name of the format, for the message (for example "manifest")
     * @param line the 1-based line the problem is on, or 0 when it concerns the text as a whole
     * @param problem what is wrong, for a person
     */
    protected TesseraFormatException(String format, int line, String problem) {
        super((line > 0 ? format + " line " + line : format) + ": " + problem);
        this.line = line;
    }

    /** The 1-based line the problem is on, or 0 when it concerns the whole text (for example a missing section). */
    public int line() {
        return line;
    }
}
