package net.tesseras.tessera;

/**
 * Bytes that are not a canonical fragment plan (or signed fragment plan), or a plan whose values
 * contradict each other; the message names the line and the fault.
 */
public class FragmentPlanFormatException extends TesseraFormatException {

    private static final long serialVersionUID = 1L;

    /**
     * @param line the 1-based line the problem is on, or 0 when it concerns the whole plan
     * @param problem what is wrong, for a person
     */
    public FragmentPlanFormatException(int line, String problem) {
        super("fragment plan", line, problem);
    }
}
