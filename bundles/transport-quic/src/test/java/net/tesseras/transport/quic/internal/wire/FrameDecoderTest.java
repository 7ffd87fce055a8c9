package net.tesseras.transport.quic.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import net.tesseras.transport.ErrorCode;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private static final int MAX = 1024;

    private static ByteBuf encode(Frame frame) {
        EmbeddedChannel out = new EmbeddedChannel(FrameEncoder.INSTANCE);
        out.writeOutbound(frame);
        ByteBuf all = Unpooled.buffer();
        ByteBuf part;
        while ((part = out.readOutbound()) != null) {
            all.writeBytes(part);
            part.release();
        }
        return all;
    }

    private static ByteBuf header(int version, int type, int flags, int reserved, int id, long length) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(version).writeByte(type).writeByte(flags).writeByte(reserved).writeInt(id).writeInt((int) length);
        return buf;
    }

    @Test
    void roundTripsFramesOneByteAtATime() {
        ByteBuf wire = Unpooled.buffer();
        wire.writeBytes(encode(new Frame(FrameType.GET_FRAGMENT, 0, 7, Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII))));
        wire.writeBytes(encode(new Frame(FrameType.PUT_FRAGMENT, Frame.MORE, -2, Unpooled.wrappedBuffer(new byte[MAX]))));
        wire.writeBytes(encode(Frame.empty(FrameType.PUT_OK, 9)));
        EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
        while (wire.isReadable()) {
            in.writeInbound(wire.readRetainedSlice(1));
        }
        Frame first = in.readInbound();
        assertEquals(FrameType.GET_FRAGMENT, first.type());
        assertEquals(7, first.requestId());
        assertEquals("abc", first.content().toString(StandardCharsets.US_ASCII));
        assertFalse(first.more());
        Frame second = in.readInbound();
        assertTrue(second.more());
        assertEquals(-2, second.requestId(), "request ids use all 32 bits");
        assertEquals(MAX, second.content().readableBytes());
        Frame third = in.readInbound();
        assertEquals(FrameType.PUT_OK, third.type());
        assertEquals(0, third.content().readableBytes());
        assertNull(in.readInbound());
        first.release();
        second.release();
        third.release();
        assertFalse(in.finish());
    }

    @Test
    void headerAloneIsTwelveBytes() {
        ByteBuf wire = encode(Frame.empty(FrameType.OVERLOADED, 1));
        assertEquals(Frame.HEADER_LENGTH, wire.readableBytes());
    }

    @Test
    void incompleteFrameWaits() {
        ByteBuf partial = header(1, FrameType.PING, 0, 0, 1, 10).writeBytes(new byte[5]);
        assertNull(FrameDecoder.decodeOne(partial, MAX));
        assertEquals(0, partial.readerIndex(), "nothing consumed until the frame is whole");
    }

    @Test
    void wrongVersionIsRefusedAsFatal() {
        FrameException e = assertThrows(FrameException.class, () -> FrameDecoder.decodeOne(header(2, 1, 0, 0, 5, 0), MAX));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertEquals(5, e.requestId());
        assertTrue(e.fatal());
    }

    @Test
    void unknownFlagsReservedByteAndTypeZeroAreMalformed() {
        assertEquals(ErrorCode.MALFORMED, assertThrows(FrameException.class, () -> FrameDecoder.decodeOne(header(1, 1, 0x80, 0, 1, 0), MAX)).code());
        assertEquals(ErrorCode.MALFORMED, assertThrows(FrameException.class, () -> FrameDecoder.decodeOne(header(1, 1, 0, 3, 1, 0), MAX)).code());
        assertEquals(ErrorCode.MALFORMED, assertThrows(FrameException.class, () -> FrameDecoder.decodeOne(header(1, 0, 0, 0, 1, 0), MAX)).code());
    }

    @Test
    void oversizedPayloadIsRefusedBeforeItIsBuffered() {
        FrameException e = assertThrows(FrameException.class, () -> FrameDecoder.decodeOne(header(1, 1, 0, 0, 1, 0xFFFFFFFFL), MAX));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("4294967295"), e.getMessage());
    }

    @Test
    void streamEndingInsideAFrameIsTruncated() {
        EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(MAX));
        in.writeInbound(header(1, 1, 0, 0, 4, 100).writeBytes(new byte[10]));
        DecoderException e = assertThrows(DecoderException.class, in::finish);
        FrameException cause = (FrameException) e.getCause();
        assertEquals(ErrorCode.MALFORMED, cause.code());
        assertEquals(4, cause.requestId());
        assertTrue(cause.getMessage().contains("ended inside a frame"));
    }
}
