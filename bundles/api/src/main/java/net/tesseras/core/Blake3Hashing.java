package net.tesseras.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One-shot BLAKE3 {@link ContentHash} of arrays, buffers, files and channels (see {@link Blake3}
 * for the streaming hasher). Files and channels are read in 64 KiB pieces, never held whole.
 */
public final class Blake3Hashing {

    private static final int CHUNK = 64 * 1024;

    private Blake3Hashing() {}

    /** Hashes the remaining bytes of {@code data} without moving its position. */
    public static ContentHash hash(ByteBuffer data) {
        return finish(new Blake3().update(data));
    }

    /** Hashes a whole array. */
    public static ContentHash hash(byte[] data) {
        return ContentHash.of(Blake3.hash(data));
    }

    /** Hashes a whole file, streaming it in chunks. */
    public static ContentHash hash(Path file) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            return hash(channel);
        }
    }

    /** Hashes everything {@code channel} delivers until its end. */
    public static ContentHash hash(ReadableByteChannel channel) throws IOException {
        Blake3 hasher = new Blake3();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            hasher.update(buffer);
            buffer.clear();
        }
        return finish(hasher);
    }

    /** The ContentHash of everything {@code hasher} was fed: the same as {@link Blake3#finish()}. */
    public static ContentHash finish(Blake3 hasher) {
        return ContentHash.of(hasher.digest());
    }
}
