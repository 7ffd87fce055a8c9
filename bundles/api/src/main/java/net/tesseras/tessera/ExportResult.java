package net.tesseras.tessera;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link TesseraService#export} wrote.
 *
 * @param directory the directory holding the files
 * @param files the number of files written
 * @param bytes their total size
 * @param unusableFragments fragments that were missing or failed their checksum and were rebuilt around
 */
public record ExportResult(Path directory, int files, long bytes, List<Integer> unusableFragments) {

    public ExportResult {
        Objects.requireNonNull(directory, "directory");
        unusableFragments = List.copyOf(unusableFragments);
    }
}
