package net.tesseras.transport.quic.internal.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import net.tesseras.transport.ErrorCode;

/**
 * Cuts a stream into {@link Frame}s, checking every header field before trusting its length: a
 * wrong version, unknown flags, a non-zero reserved byte or a payload above {@code maxPayload}
 * end the stream with a {@link FrameException} (the peer gets an ERROR, the connection and every
 * other stream carry on). A stream that ends inside a frame is reported as truncated.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private final int maxPayload;

    public FrameDecoder(int maxPayload) {
        if (maxPayload <= 0) {
            throw new IllegalArgumentException("maxPayload must be positive: " + maxPayload);
        }
        this.maxPayload = maxPayload;
    }

    /** After a bad header nothing more on this stream can be framed: the rest is dropped unread. */
    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            Frame frame = decodeOne(in, maxPayload);
            if (frame != null) {
                out.add(frame);
            }
        } catch (FrameException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /**
     * Decodes one frame if {@code in} holds a whole one, leaving {@code in} untouched otherwise.
     * The frame's payload is a retained slice of {@code in}.
     *
     * @throws FrameException if the header is invalid
     */
    public static Frame decodeOne(ByteBuf in, int maxPayload) {
        if (in.readableBytes() < Frame.HEADER_LENGTH) {
            return null;
        }
        int start = in.readerIndex();
        int version = in.getUnsignedByte(start);
        int type = in.getUnsignedByte(start + 1);
        int flags = in.getUnsignedByte(start + 2);
        int reserved = in.getUnsignedByte(start + 3);
        int requestId = in.getInt(start + 4);
        long length = in.getUnsignedInt(start + 8);
        if (version != Frame.VERSION) {
            throw new FrameException(ErrorCode.UNSUPPORTED_VERSION, requestId, true,
                    "frame version " + version + " is not supported (this node speaks " + Frame.VERSION + ")");
        }
        if ((flags & ~Frame.KNOWN_FLAGS) != 0 || reserved != 0) {
            throw new FrameException(ErrorCode.MALFORMED, requestId, true,
                    "frame header has unknown flags 0x" + Integer.toHexString(flags) + " or reserved byte " + reserved);
        }
        if (type == 0) {
            throw new FrameException(ErrorCode.MALFORMED, requestId, true, "frame type 0 is not a message type");
        }
        if (length > maxPayload) {
            throw new FrameException(ErrorCode.TOO_LARGE, requestId, true,
                    "frame payload of " + length + " bytes exceeds the limit of " + maxPayload);
        }
        if (in.readableBytes() < Frame.HEADER_LENGTH + length) {
            return null;
        }
        in.skipBytes(Frame.HEADER_LENGTH);
        return new Frame(type, flags, requestId, in.readRetainedSlice((int) length));
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (in.isReadable() && !failed) {
            int requestId = in.readableBytes() >= 8 ? in.getInt(in.readerIndex() + 4) : 0;
            int partial = in.readableBytes();
            in.skipBytes(partial);
            throw new FrameException(ErrorCode.MALFORMED, requestId, true, "stream ended inside a frame (" + partial + " bytes left)");
        }
    }
}
