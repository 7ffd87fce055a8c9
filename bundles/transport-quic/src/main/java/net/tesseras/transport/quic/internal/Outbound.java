package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBufAllocator;
import net.tesseras.transport.quic.internal.wire.Frame;

/**
 * A message on its way out through a {@link MessageWriter}, taken a frame at a time as the stream
 * can carry them. A message whose next frame is not there yet (a fragment still being read from
 * disk) is passed over until it wakes the writer; messages behind it go first. Event loop only.
 */
interface Outbound {

    int requestId();

    /** Whether {@link #next} has a frame to give now. */
    default boolean ready() {
        return true;
    }

    /** The next frame; {@link #done()} once the last was taken. */
    Frame next(ByteBufAllocator alloc, int maxPayload);

    /** Whether its first frame was taken. */
    boolean started();

    /** Whether its last frame was taken. */
    boolean done();

    /**
     * The receiver answered before the rest was sent (it refused it): what is left is not sent; the
     * next frame ends the message.
     */
    void cut();

    /** Its last frame was written. */
    void written();

    /** Dropped unwritten (the stream closed); the request still counts as finished. */
    void discard();
}
