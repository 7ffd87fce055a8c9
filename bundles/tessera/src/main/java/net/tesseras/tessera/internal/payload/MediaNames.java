package net.tesseras.tessera.internal.payload;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a file is named inside a tessera, as the original names it: {@code media.<ext>} with the
 * extension's case kept, {@code media.bin} without one. Extensions that are not short ASCII
 * letters and digits also become {@code bin}, because a space or odd character would break the
 * manifest line or a person's shell; the original name is kept in meta.json either way.
 */
final class MediaNames {

    private static final Pattern PLAIN_EXTENSION = Pattern.compile("[A-Za-z0-9]{1,16}");

    private MediaNames() {
    }

    /** {@code media.<ext>} for a file called {@code fileName}. */
    static String mediaName(String fileName) {
        return "media." + extension(fileName);
    }

    /** The extension, case kept, or {@code bin}. A leading dot ({@code .bashrc}) starts no extension. */
    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0) {
            return "bin";
        }
        String extension = fileName.substring(dot + 1);
        return PLAIN_EXTENSION.matcher(extension).matches() ? extension : "bin";
    }

    /** The original's memory type: a text note is a reflection, anything else a moment. */
    static String memoryType(String fileName) {
        return extension(fileName).toLowerCase(Locale.ROOT).equals("txt") ? "reflection" : "moment";
    }
}
