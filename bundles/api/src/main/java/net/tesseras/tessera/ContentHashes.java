package net.tesseras.tessera;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;

/**
 * The content hash of a tessera: BLAKE3 over the raw 32-byte hashes of its files, concatenated
 * in ascending order of their hex strings (which is ascending unsigned byte order). Duplicates
 * are kept: a file stored twice adds its hash twice. It covers only the files' bytes, never names,
 * types, sizes, the creator or the time, so the same files always give the same tessera hash.
 */
public final class ContentHashes {

    private ContentHashes() {
    }

    /**
     * The content hash of a tessera holding files with these hashes, in any order.
     *
     * @throws IllegalArgumentException when there is no hash: a tessera holds at least one file
     */
    public static ContentHash of(Collection<ContentHash> fileHashes) {
        Objects.requireNonNull(fileHashes, "fileHashes");
        if (fileHashes.isEmpty()) {
            throw new IllegalArgumentException("a tessera holds at least one file: no file hashes given");
        }
        List<ContentHash> sorted = new ArrayList<>(fileHashes);
        sorted.forEach(hash -> Objects.requireNonNull(hash, "a file hash"));
        sorted.sort(null);
        Blake3 hasher = new Blake3();
        for (ContentHash hash : sorted) {
            hasher.update(hash.toBytes());
        }
        return hasher.finish();
    }
}
