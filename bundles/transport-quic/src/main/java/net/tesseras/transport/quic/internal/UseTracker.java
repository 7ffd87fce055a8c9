package net.tesseras.transport.quic.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import net.tesseras.transport.quic.internal.wire.Frame;

/**
 * Behind the frame codec of every stream: any frame either way, except keep-alives, moves the
 * connection's last use, which the pool's reaper and its least-recently-used eviction go by.
 * Keep-alives only keep QUIC's idle timer from closing a quiet connection; if they counted as use,
 * the reaper would never close one.
 */
final class UseTracker extends ChannelDuplexHandler {

    private final NodeConnection connection;

    UseTracker(NodeConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame && !NodeConnection.isKeepAlive(frame)) {
            connection.touch();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // Only frames: the empty buffer that ends a stream is no use of its own.
        if (msg instanceof Frame frame && !NodeConnection.isKeepAlive(frame)) {
            connection.touch();
        }
        ctx.write(msg, promise);
    }
}
