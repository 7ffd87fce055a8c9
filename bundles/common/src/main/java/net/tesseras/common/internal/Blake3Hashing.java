package net.tesseras.common.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.tesseras.core.ContentHash;
import org.apache.commons.codec.digest.Blake3;

/** BLAKE3 of buffers, files and channels, through commons-codec. */
public final class Blake3Hashing {

    private static final int CHUNK = 64 * 1024;

    private Blake3Hashing() {}

    /** Hashes the remaining bytes of {@code data} without moving its position. */
    public static ContentHash hash(ByteBuffer data) {
        Blake3 hasher = Blake3.initHash();
        update(hasher, data);
        return finish(hasher);
    }

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
        Blake3 hasher = Blake3.initHash();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            update(hasher, buffer);
            buffer.clear();
        }
        return finish(hasher);
    }

    /** Feeds the remaining bytes of {@code data} to {@code hasher} without moving its position. */
    public static void update(Blake3 hasher, ByteBuffer data) {
        if (data.hasArray()) {
            hasher.update(data.array(), data.arrayOffset() + data.position(), data.remaining());
            return;
        }
        ByteBuffer view = data.duplicate();
        byte[] chunk = new byte[Math.min(CHUNK, view.remaining())];
        while (view.hasRemaining()) {
            int n = Math.min(chunk.length, view.remaining());
            view.get(chunk, 0, n);
            hasher.update(chunk, 0, n);
        }
    }

    public static ContentHash finish(Blake3 hasher) {
        return ContentHash.of(hasher.doFinalize(ContentHash.LENGTH));
    }
}
