package net.tesseras.tessera.internal.payload;

import java.util.List;
import java.util.Objects;
import net.tesseras.core.ContentHash;

/**
 * One memory of a payload: distinct file bytes stored once under {@code memories/<hash>/}.
 *
 * @param hash the BLAKE3 hash of the bytes
 * @param mediaName the file's name in its folder, {@code media.<ext>}
 * @param mime the detected media type
 * @param size the length in bytes
 * @param originalNames every relative name these bytes were given under, in input order
 */
public record StoredMemory(ContentHash hash, String mediaName, String mime, long size, List<String> originalNames) {

    public StoredMemory {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(mediaName, "mediaName");
        Objects.requireNonNull(mime, "mime");
        originalNames = List.copyOf(originalNames);
    }

    /** The media entry's path in the tar: {@code memories/<hash>/media.<ext>}. */
    public String path() {
        return PayloadLayout.media(hash, mediaName);
    }
}
