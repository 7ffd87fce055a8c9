package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.wire.Frame;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;

/**
 * Assembles an answer in memory, up to a limit; an answer above it fails with TOO_LARGE and the
 * sink is done with it at once (the stream handler refuses or drops the rest).
 */
final class BufferedResponse implements ResponseSink {

    /** A complete answer; whoever takes it releases {@code body}. */
    record Response(int type, ByteBuf body) {
    }

    private final long limit;
    private final CompletableFuture<Response> future = new CompletableFuture<>();
    private CompositeByteBuf body;
    private int type = -1;

    BufferedResponse(long limit) {
        this.limit = limit;
    }

    CompletableFuture<Response> future() {
        return future;
    }

    @Override
    public boolean onFrame(Frame frame) {
        ByteBuf content = frame.content();
        if (type < 0) {
            type = frame.type();
            if (!frame.more()) {
                future.complete(new Response(type, content.retain()));
                return true;
            }
            body = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        } else if (frame.type() == FrameType.ERROR) {
            // The server could not finish its answer (a fragment it failed to read to the end).
            fail(Payloads.readError(content));
            return true;
        } else if (frame.type() != type) {
            fail(new PeerException(ErrorCode.MALFORMED, "answer switched from type " + type + " to " + frame.type()));
            return true;
        }
        if ((long) body.readableBytes() + content.readableBytes() > limit) {
            fail(new PeerException(ErrorCode.TOO_LARGE, "answer exceeds the limit of " + limit + " bytes"));
            return true;
        }
        body.addComponent(true, content.retain());
        if (frame.more()) {
            return false;
        }
        CompositeByteBuf complete = body;
        body = null;
        future.complete(new Response(type, complete));
        return true;
    }

    @Override
    public void fail(Throwable cause) {
        if (body != null) {
            body.release();
            body = null;
        }
        future.completeExceptionally(cause);
    }
}
