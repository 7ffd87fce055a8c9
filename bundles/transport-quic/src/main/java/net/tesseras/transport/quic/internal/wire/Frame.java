package net.tesseras.transport.quic.internal.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One frame: a 12-byte header (version, type, flags, reserved, request id, payload length) and its
 * payload. A message larger than one frame travels as several frames of the same type and request
 * id, all but the last with {@link #MORE}. The holder owns one reference to the payload.
 */
public final class Frame extends DefaultByteBufHolder {

    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 12;

    /** Flag: more frames of this message follow. */
    public static final int MORE = 0x01;
    /** Flags this version defines; a frame with any other bit set is malformed. */
    static final int KNOWN_FLAGS = MORE;

    private final int type;
    private final int flags;
    private final int requestId;

    public Frame(int type, int flags, int requestId, ByteBuf payload) {
        super(payload);
        this.type = type;
        this.flags = flags;
        this.requestId = requestId;
    }

    /** A frame without payload: the fixed tiny responses (PUT_OK, OVERLOADED) and PING. */
    public static Frame empty(int type, int requestId) {
        return new Frame(type, 0, requestId, Unpooled.EMPTY_BUFFER);
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public int requestId() {
        return requestId;
    }

    public boolean more() {
        return (flags & MORE) != 0;
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(type, flags, requestId, content);
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public String toString() {
        return "Frame[" + FrameType.name(type) + " #" + Integer.toUnsignedString(requestId) + (more() ? " more" : "") + ", "
                + content().readableBytes() + " bytes]";
    }
}
