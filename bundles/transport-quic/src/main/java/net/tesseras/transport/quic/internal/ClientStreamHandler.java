package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.wire.Frame;

/**
 * This node's requests on one stream and their answers, matched by request id, so many can be in
 * flight at once and answers may come in any order. In the naive mode (and for fragment transfers)
 * the stream carries one request and closes with its answer.
 *
 * <p>A sink may be done with an answer before its last frame (it refused it: too large, malformed).
 * The rest is then not wanted: on a stream of its own, this node stops the stream (QUIC
 * STOP_SENDING), so the peer stops sending at once; on the shared stream the remaining frames are
 * dropped as they come. Event loop only.
 */
final class ClientStreamHandler extends ChannelInboundHandlerAdapter {

    /** A request awaiting its answer; the timeout counts from the request, then from each frame of a multi-frame answer. */
    private static final class Pending {
        final ResponseSink sink;
        ScheduledFuture<?> timer;
        long lastProgress = System.nanoTime();

        Pending(ResponseSink sink) {
            this.sink = sink;
        }
    }

    /** The QUIC application error code of a STOP_SENDING by which this node refuses the rest of an answer. */
    static final int REFUSED = 1;

    private final int maxPayload;
    private final boolean singleRequest;
    private final boolean endAfterRequest;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private ChannelHandlerContext ctx;
    private MessageWriter writer;

    /**
     * @param singleRequest the stream carries one request and closes with its answer
     * @param endAfterRequest (single requests) this side ends (FIN) once the request is written; otherwise it
     *     stays open until the answer is in, so that a refusal can still reset it (the peer's read then fails
     *     and it drops the answer)
     */
    ClientStreamHandler(int maxPayload, boolean singleRequest, boolean endAfterRequest) {
        this.maxPayload = maxPayload;
        this.singleRequest = singleRequest;
        this.endAfterRequest = endAfterRequest;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writer = new MessageWriter(ctx, maxPayload);
    }

    void send(int requestId, int type, ByteBuf body, ResponseSink sink, long timeoutNanos) {
        if (!ctx.channel().isActive()) {
            body.release();
            sink.fail(new PeerException(ErrorCode.CONNECTION, "the stream to the peer is closed"));
            return;
        }
        Pending request = new Pending(sink);
        request.timer = ctx.executor().schedule(() -> expire(requestId, timeoutNanos), timeoutNanos, TimeUnit.NANOSECONDS);
        pending.put(requestId, request);
        sink.sentOn(ctx.channel());
        writer.send(new Outgoing(type, requestId, body, null));
        if (singleRequest && endAfterRequest) {
            writer.endWhenWritten();
        }
    }

    private void expire(int requestId, long timeoutNanos) {
        Pending waiting = pending.get(requestId);
        if (waiting == null) {
            return;
        }
        long left = waiting.lastProgress + timeoutNanos - System.nanoTime();
        if (left > 0) {
            // A large answer is still arriving: the timeout counts from its latest frame.
            waiting.timer = ctx.executor().schedule(() -> expire(requestId, timeoutNanos), left, TimeUnit.NANOSECONDS);
            return;
        }
        Pending expired = pending.remove(requestId);
        if (expired != null) {
            expired.sink.fail(new PeerException(ErrorCode.TIMEOUT,
                    "no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
            if (singleRequest) {
                ctx.close();
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        try {
            Pending request = pending.get(frame.requestId());
            if (request == null) {
                return; // an answer that came after its timeout, or the rest of one refused
            }
            request.lastProgress = System.nanoTime();
            boolean complete;
            try {
                complete = request.sink.onFrame(frame);
            } catch (RuntimeException e) {
                request.sink.fail(Errors.of(e));
                complete = true;
            }
            if (complete) {
                pending.remove(frame.requestId());
                request.timer.cancel(false);
                // An answer before the whole request was sent is a refusal (a PUT the peer does not
                // admit): the rest of the upload is not sent.
                writer.cut(frame.requestId());
                if (singleRequest) {
                    if (frame.more()) {
                        refuseRest(ctx);
                    } else {
                        ctx.close();
                    }
                }
            }
        } finally {
            frame.release();
        }
    }

    /**
     * Refuses the rest of the answer on this stream: STOP_SENDING tells the peer's QUIC stack to
     * stop sending, RESET_STREAM makes the peer's next read fail so it drops what it still holds;
     * then the stream closes. The connection and its other streams go on.
     */
    private static void refuseRest(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof QuicStreamChannel stream && stream.isActive()) {
            stream.shutdownInput(REFUSED).addListener(stopped -> {
                if (stream.isOutputShutdown()) {
                    ctx.close();
                } else {
                    stream.shutdownOutput(REFUSED).addListener(reset -> ctx.close());
                }
            });
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writer.drain();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        failAll(new PeerException(ErrorCode.MALFORMED, "the peer's answer could not be read: " + reason.getMessage(), reason));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        writer.discardAll();
        failAll(new PeerException(ErrorCode.CONNECTION, "the connection to the peer closed"));
        ctx.fireChannelInactive();
    }

    private void failAll(PeerException failure) {
        List<Pending> failed = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending request : failed) {
            request.timer.cancel(false);
            request.sink.fail(failure);
        }
    }
}
