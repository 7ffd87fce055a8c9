package net.tesseras.transport.quic.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.util.ArrayDeque;

/**
 * Writes a stream's outgoing messages in order, frame by frame, only while the stream is
 * writable (a large fragment does not pile up in memory ahead of a slow peer), and flushes once
 * per batch of frames. A message whose next frame is not ready yet (a fragment still being read
 * from the store) lets the messages behind it go first; frames of different messages may
 * interleave (docs/PROTOCOL.md). Event loop only.
 */
final class MessageWriter {

    private final ChannelHandlerContext ctx;
    private final int maxPayload;
    private final ArrayDeque<Outbound> queue = new ArrayDeque<>();
    private boolean endRequested;

    MessageWriter(ChannelHandlerContext ctx, int maxPayload) {
        this.ctx = ctx;
        this.maxPayload = maxPayload;
    }

    void send(Outbound message) {
        if (!ctx.channel().isActive()) {
            message.discard();
            return;
        }
        queue.add(message);
        drain();
    }

    /** Called when the stream became writable again, or a message has a frame ready. */
    void drain() {
        boolean wrote = false;
        while (!queue.isEmpty() && ctx.channel().isWritable()) {
            Outbound head = firstReady();
            if (head == null) {
                break;
            }
            ctx.write(head.next(ctx.alloc(), maxPayload), ctx.voidPromise());
            wrote = true;
            if (head.done()) {
                queue.remove(head);
                head.written();
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (endRequested && queue.isEmpty()) {
            endRequested = false;
            // The FIN must follow everything queued, which may still wait for a consolidated flush.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> {
                if (ctx.channel() instanceof QuicStreamChannel stream && stream.isActive()) {
                    stream.shutdownOutput();
                }
            });
        }
    }

    /** The first message with a frame to give; in-memory answers always have one, so this is mostly the head. */
    private Outbound firstReady() {
        for (Outbound message : queue) {
            if (message.ready()) {
                return message;
            }
        }
        return null;
    }

    /**
     * Stops sending the message of {@code requestId} (its answer came first: the peer refused it):
     * a message begun ends with an empty final frame, one not begun is dropped.
     */
    void cut(int requestId) {
        var pending = queue.iterator();
        while (pending.hasNext()) {
            Outbound message = pending.next();
            if (message.requestId() == requestId) {
                if (message.started()) {
                    message.cut();
                } else {
                    pending.remove();
                    message.discard();
                }
            }
        }
        drain();
    }

    /** Ends this side of the stream once every queued message is written and flushed. */
    void endWhenWritten() {
        endRequested = true;
        drain();
    }

    void discardAll() {
        Outbound message;
        while ((message = queue.poll()) != null) {
            message.discard();
        }
    }
}
