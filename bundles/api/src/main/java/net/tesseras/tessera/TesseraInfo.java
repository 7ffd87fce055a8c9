package net.tesseras.tessera;

import java.time.Instant;
import java.util.Objects;
import net.tesseras.core.ContentHash;

/**
 * What the node records of a tessera.
 *
 * @param hash the content hash, the tessera's name
 * @param creator the creator's Ed25519 public key, 64 lowercase hex characters
 * @param created when the manifest was made, whole seconds
 * @param files the number of files (manifest entries)
 * @param size the files' total size in bytes
 * @param tier how the payload is cut
 * @param payloadLength the bytes of the tar payload that was erasure-coded
 * @param shardSize the bytes of every fragment
 */
public record TesseraInfo(ContentHash hash, String creator, Instant created, int files, long size, Tier tier,
        long payloadLength, long shardSize) {

    public TesseraInfo {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(creator, "creator");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(tier, "tier");
    }

    /** Fragments of the tessera: data plus parity. */
    public int fragments() {
        return tier.totalShards();
    }
}
