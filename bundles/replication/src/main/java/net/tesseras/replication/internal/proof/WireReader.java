package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.tesseras.core.ContentHash;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;

/**
 * Reads one message's big-endian fields strictly: a field the payload ends inside, or bytes left
 * over after the last field, is a {@link ErrorCode#MALFORMED} error naming the message and field.
 */
final class WireReader {

    private final ByteBuffer buffer;
    private final String message;

    WireReader(ByteBuffer payload, String message) {
        this.buffer = payload.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.message = message;
    }

    int position() {
        return buffer.position();
    }

    int remaining() {
        return buffer.remaining();
    }

    byte[] bytes(int length, String field) {
        need(length, field);
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    ContentHash hash(String field) {
        return ContentHash.of(bytes(ContentHash.LENGTH, field));
    }

    int u8(String field) {
        need(1, field);
        return buffer.get() & 0xff;
    }

    int u16(String field) {
        need(2, field);
        return buffer.getShort() & 0xffff;
    }

    long u32(String field) {
        need(4, field);
        return buffer.getInt() & 0xffffffffL;
    }

    /** A u64 that must fit a non-negative long. */
    long u64(String field) {
        need(8, field);
        long value = buffer.getLong();
        if (value < 0) {
            throw malformed(field + " is " + Long.toUnsignedString(value) + ", more than this node accepts (" + Long.MAX_VALUE + ")");
        }
        return value;
    }

    /** Checks that every byte was read. */
    void end() {
        if (buffer.hasRemaining()) {
            throw malformed("has " + buffer.remaining() + " bytes after its last field");
        }
    }

    PeerException malformed(String what) {
        return new PeerException(ErrorCode.MALFORMED, message + " " + what + "; the sender does not follow docs/PROTOCOL.md");
    }

    private void need(int length, String field) {
        if (buffer.remaining() < length) {
            throw malformed("ends inside " + field + " at byte " + buffer.position() + " (" + length + " bytes needed, "
                    + buffer.remaining() + " left)");
        }
    }
}
