package net.tesseras.tessera;

import java.util.Objects;
import net.tesseras.core.ContentHash;

/**
 * One file line of a {@link Manifest}: {@code "  <path>  blake3:<hex>  <mime>  <size>"}.
 *
 * <p>The path, as the original writes it, is {@code memories/<hash hex>/media.<ext>}. Because the
 * line is split on whitespace, neither the path nor the MIME type may contain any.
 *
 * @param path where the file's bytes are in the tessera, for example
 *     {@code memories/d749…9e24/media.txt}; no whitespace
 * @param hash the BLAKE3 hash of the file's bytes
 * @param mime the file's media type, for example {@code image/jpeg}; no whitespace
 * @param size the file's length in bytes, zero or more
 */
public record ManifestEntry(String path, ContentHash hash, String mime, long size) {

    /**
     * @throws IllegalArgumentException when the path or MIME type is empty or holds whitespace
     *     (the line would not parse back), or the size is negative
     */
    public ManifestEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(mime, "mime");
        requireToken("path", path);
        requireToken("MIME type", mime);
        if (size < 0) {
            throw new IllegalArgumentException("a file size is zero or more, not " + size + " (" + path + ")");
        }
    }

    private static void requireToken(String what, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a manifest entry's " + what + " is empty");
        }
        if (ManifestText.hasWhitespace(value)) {
            throw new IllegalArgumentException("a manifest entry's " + what
                    + " may not contain whitespace (entries are split on it): '" + value + "'");
        }
    }

    /** The entry's line without its line feed, exactly as the manifest holds it. */
    public String toLine() {
        return "  " + path + "  blake3:" + hash.toHex() + "  " + mime + "  " + size;
    }
}
