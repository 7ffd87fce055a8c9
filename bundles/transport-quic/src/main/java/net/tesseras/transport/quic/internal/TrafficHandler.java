package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * At the head of every stream: counts bytes both ways, and notes that the peer is alive whenever
 * bytes arrive. Use of the connection for the pool's reaper is counted per frame, keep-alives aside
 * ({@link UseTracker}).
 */
final class TrafficHandler extends ChannelDuplexHandler {

    private final NodeConnection connection;
    private final TransportMetrics metrics;

    TrafficHandler(NodeConnection connection, TransportMetrics metrics) {
        this.connection = connection;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.heard();
        metrics.received(size(msg));
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        metrics.sent(size(msg));
        ctx.write(msg, promise);
    }

    private static int size(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        return 0;
    }
}
