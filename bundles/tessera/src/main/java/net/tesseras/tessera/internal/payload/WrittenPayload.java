package net.tesseras.tessera.internal.payload;

import java.util.List;
import java.util.Objects;
import net.tesseras.core.ContentHash;
import net.tesseras.tessera.Manifest;

/**
 * What {@link PayloadWriter#write} made.
 *
 * @param manifest the manifest
 * @param manifestBytes its exact bytes, as signed and stored in the tar
 * @param signature the creator's 64-byte Ed25519 signature over {@code manifestBytes}
 * @param payloadLength the length of the tar file in bytes
 * @param memories the distinct memories, in the order of their first file
 */
public record WrittenPayload(Manifest manifest, byte[] manifestBytes, byte[] signature, long payloadLength,
        List<StoredMemory> memories) {

    public WrittenPayload {
        Objects.requireNonNull(manifest, "manifest");
        manifestBytes = manifestBytes.clone();
        signature = signature.clone();
        memories = List.copyOf(memories);
    }

    /** The tessera's content hash. */
    public ContentHash contentHash() {
        return manifest.contentHash();
    }

    @Override
    public byte[] manifestBytes() {
        return manifestBytes.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }
}
