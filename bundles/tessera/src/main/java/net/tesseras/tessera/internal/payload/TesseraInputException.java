package net.tesseras.tessera.internal.payload;

import java.nio.file.Path;

/**
 * Files that cannot become a tessera: the message names the input and says what to do about it
 * (nothing to store, an unreadable or special file, a symbolic link loop, a file that changed
 * while it was read, too much data for the largest tier).
 */
public class TesseraInputException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path input;

    /**
     * @param input the file or directory at fault
     * @param problem what is wrong and what to do, for a person; the path is put in front
     */
    public TesseraInputException(Path input, String problem) {
        super(input + ": " + problem);
        this.input = input;
    }

    /** The file or directory at fault. */
    public Path input() {
        return input;
    }
}
