package net.tesseras.transport.quic.internal;

import io.netty.channel.Channel;
import net.tesseras.transport.quic.internal.wire.Frame;

/** Receives the frames answering one request, on the event loop. */
interface ResponseSink {

    /**
     * One frame of the answer; the sink retains what it keeps (the caller releases the frame).
     *
     * @return whether the answer is complete
     */
    boolean onFrame(Frame frame);

    /** The stream the request went out on (its answer comes on it), before any frame of the answer. */
    default void sentOn(Channel stream) {
    }

    /** The answer will not come (timeout, closed stream, malformed frame). */
    void fail(Throwable cause);
}
