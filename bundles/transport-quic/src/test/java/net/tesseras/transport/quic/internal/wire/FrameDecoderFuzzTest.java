package net.tesseras.transport.quic.internal.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.tesseras.core.ContentHash;
import net.tesseras.transport.PeerException;

/**
 * Feeds arbitrary bytes to the frame decoder and every payload decoder: they may refuse input only
 * with {@link FrameException} or {@link PeerException}, never another exception, and must not
 * leak the buffers they slice. In CI this runs the stored inputs and a short fuzzing run
 * (see docs/PROTOCOL.md for a long run).
 */
class FrameDecoderFuzzTest {

    private static final int MAX_PAYLOAD = 4096;
    private static final ContentHash TESSERA = ContentHash.of(new byte[ContentHash.LENGTH]);

    @FuzzTest(maxDuration = "20s")
    void decodesOrRefusesCleanly(byte[] input) {
        ByteBuf wire = Unpooled.wrappedBuffer(input);
        try {
            Frame frame;
            while ((frame = FrameDecoder.decodeOne(wire, MAX_PAYLOAD)) != null) {
                try {
                    if (frame.content().readableBytes() > MAX_PAYLOAD) {
                        throw new AssertionError("payload above the limit: " + frame);
                    }
                    decodePayload(frame);
                } finally {
                    frame.release();
                }
            }
        } catch (FrameException refused) {
            // a clean refusal
        } finally {
            if (wire.refCnt() != 1) {
                throw new AssertionError("decoder leaked or over-released the input: refCnt " + wire.refCnt());
            }
            wire.release();
        }
    }

    private static void decodePayload(Frame frame) {
        ByteBuf payload = frame.content().duplicate();
        try {
            switch (frame.type()) {
                case FrameType.PONG -> Payloads.readPong(payload);
                case FrameType.GET_FRAGMENT -> Payloads.readGet(payload);
                case FrameType.FRAGMENT -> Payloads.readFragmentHeader(payload);
                case FrameType.PUT_FRAGMENT -> Payloads.readPutHeader(payload);
                case FrameType.LIST_FRAGMENTS -> Payloads.readList(payload);
                case FrameType.FRAGMENT_LIST -> Payloads.readFragmentList(payload, TESSERA);
                case FrameType.ERROR -> Payloads.readError(payload);
                default -> {
                }
            }
        } catch (PeerException refused) {
            // a clean refusal
        }
    }
}
