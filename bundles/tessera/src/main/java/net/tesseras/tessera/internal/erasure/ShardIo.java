package net.tesseras.tessera.internal.erasure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Whole-window reads and writes on channels, which may transfer fewer bytes than asked. */
final class ShardIo {

    private ShardIo() {}

    /** Reads exactly {@code length} bytes into the start of {@code target}. */
    static void readFully(ReadableByteChannel channel, byte[] target, int length, String what) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(target, 0, length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException(what + " ended " + buffer.remaining() + " bytes early");
            }
        }
    }

    static void writeFully(WritableByteChannel channel, byte[] source, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(source, 0, length);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
