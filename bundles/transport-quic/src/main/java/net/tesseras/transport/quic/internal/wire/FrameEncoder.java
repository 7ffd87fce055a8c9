package net.tesseras.transport.quic.internal.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes a frame as its header followed by its payload, without copying the payload: a fragment
 * read from the store travels as slices of the store's buffer.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {

    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBuf header = ctx.alloc().buffer(Frame.HEADER_LENGTH);
        writeHeader(header, frame.type(), frame.flags(), frame.requestId(), frame.content().readableBytes());
        ByteBuf payload = frame.content();
        if (payload.isReadable()) {
            out.add(ctx.alloc().compositeDirectBuffer(2).addComponents(true, header, payload.retain()));
        } else {
            out.add(header);
        }
    }

    public static void writeHeader(ByteBuf out, int type, int flags, int requestId, int length) {
        out.writeByte(Frame.VERSION);
        out.writeByte(type);
        out.writeByte(flags);
        out.writeByte(0);
        out.writeInt(requestId);
        out.writeInt(length);
    }
}
