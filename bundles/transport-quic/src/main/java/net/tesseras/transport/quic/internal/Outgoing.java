package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.tesseras.transport.quic.internal.wire.Frame;

/**
 * One message on its way out, cut into frames of at most the frame limit as the stream can take
 * them. Owns one reference to its body; {@code onWritten} runs once, written or discarded.
 */
final class Outgoing implements Outbound {

    private final int type;
    private final int requestId;
    private final ByteBuf body;
    private final Runnable onWritten;
    private boolean first = true;

    Outgoing(int type, int requestId, ByteBuf body, Runnable onWritten) {
        this.type = type;
        this.requestId = requestId;
        this.body = body;
        this.onWritten = onWritten;
    }

    static Outgoing empty(int type, int requestId, Runnable onWritten) {
        return new Outgoing(type, requestId, Unpooled.EMPTY_BUFFER, onWritten);
    }

    @Override
    public int requestId() {
        return requestId;
    }

    /** The next frame (a retained slice of the body); {@link #done()} once the last was taken. */
    @Override
    public Frame next(ByteBufAllocator alloc, int maxPayload) {
        first = false;
        int n = Math.min(maxPayload, body.readableBytes());
        ByteBuf slice = n == 0 ? Unpooled.EMPTY_BUFFER : body.readRetainedSlice(n);
        return new Frame(type, body.isReadable() ? Frame.MORE : 0, requestId, slice);
    }

    /** Whether its first frame was taken. */
    @Override
    public boolean started() {
        return !first;
    }

    /**
     * The receiver answered before the rest of the body was sent (it refused it): what is left is
     * not sent; the next frame ends the message (an empty frame without MORE).
     */
    @Override
    public void cut() {
        body.skipBytes(body.readableBytes());
    }

    @Override
    public boolean done() {
        return !first && !body.isReadable();
    }

    @Override
    public void written() {
        body.release();
        if (onWritten != null) {
            onWritten.run();
        }
    }

    /** Dropped unwritten (the stream closed): the body is released and the request still counts as finished. */
    @Override
    public void discard() {
        if (body.refCnt() > 0) {
            body.release();
        }
        if (onWritten != null) {
            onWritten.run();
        }
    }
}
