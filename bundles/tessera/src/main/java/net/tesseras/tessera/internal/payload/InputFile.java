package net.tesseras.tessera.internal.payload;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One regular file to put into a tessera.
 *
 * @param source where to read it (may pass through symbolic links)
 * @param name its relative name, '/'-separated, as an export restores it: {@code photos/2020/a.jpg}
 *     for a file found in a given directory {@code photos}, the file name for a file given directly
 * @param size its length in bytes when it was found
 */
public record InputFile(Path source, String name, long size) {

    public InputFile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
    }

    /** The last part of {@link #name()}: the file name, whose extension is kept. */
    public String fileName() {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
