package net.tesseras.tessera.internal.payload;

import java.nio.file.Path;

/**
 * What {@link PayloadReader#export} wrote.
 *
 * @param destination the directory the files were restored into
 * @param proofFolder the folder beside them holding README, MANIFEST, identity/ and every
 *     memories/&lt;hash&gt;/meta.json: {@code tessera}, or {@code tessera-1}, {@code tessera-2} …
 *     when the stored files themselves use that name
 * @param files how many files were restored (duplicates count once per name)
 * @param bytes their total length
 * @param check the payload's check, which passed
 */
public record ExportResult(Path destination, Path proofFolder, int files, long bytes, PayloadCheck check) {
}
