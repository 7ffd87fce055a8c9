package net.tesseras.transport.quic.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Optional;
import java.util.Set;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.Test;

class PayloadsTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final ContentHash TESSERA = hash(1);
    private static final NodeId NODE = NodeId.of(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19});

    private static ContentHash hash(int seed) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) seed);
        return ContentHash.of(bytes);
    }

    @Test
    void pongRoundTrips() {
        Payloads.Pong pong = Payloads.readPong(Payloads.pong(ALLOC, NODE, Set.of("get", "put")));
        assertEquals(NODE, pong.nodeId());
        assertEquals(Frame.VERSION, pong.version());
        assertEquals(Set.of("get", "put"), pong.capabilities());
    }

    @Test
    void pongWithANodeIdWithoutProofOfWorkIsMalformed() {
        ByteBuf bad = Unpooled.buffer().writeBytes(new byte[] {1}).writeBytes(new byte[19]).writeByte(1).writeByte(0);
        assertEquals(ErrorCode.MALFORMED, assertThrows(PeerException.class, () -> Payloads.readPong(bad)).code());
    }

    @Test
    void getAndListRoundTrip() {
        assertEquals(new Payloads.FragmentRef(TESSERA, 65535), Payloads.readGet(Payloads.get(ALLOC, TESSERA, 65535)));
        assertEquals(TESSERA, Payloads.readList(Payloads.list(ALLOC, TESSERA)));
    }

    @Test
    void putHeaderRoundTripsWithParity() {
        FragmentId id = new FragmentId(TESSERA, 20, true, hash(2));
        ByteBuf buf = Unpooled.buffer();
        Payloads.writePutHeader(buf, id, 123_456_789_012L);
        Payloads.PutHeader header = Payloads.readPutHeader(buf);
        assertEquals(id, header.id());
        assertEquals(123_456_789_012L, header.size());
    }

    @Test
    void fragmentListRoundTrips() {
        List<FragmentInfo> list = List.of(
                new FragmentInfo(new FragmentId(TESSERA, 0, false, hash(3)), 10, Instant.ofEpochMilli(1000), Optional.empty()),
                new FragmentInfo(new FragmentId(TESSERA, 17, true, hash(4)), 0, Instant.ofEpochMilli(2000), Optional.of(Instant.ofEpochMilli(3000))));
        assertEquals(list, Payloads.readFragmentList(Payloads.fragmentList(ALLOC, list), TESSERA));
    }

    @Test
    void errorRoundTripsAndCutsLongReasons() {
        PeerException e = Payloads.readError(Payloads.error(ALLOC, ErrorCode.NOT_FOUND, "no such fragment"));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals("no such fragment", e.getMessage());
        PeerException cut = Payloads.readError(Payloads.error(ALLOC, ErrorCode.INTERNAL, "x".repeat(5000)));
        assertEquals(Payloads.MAX_REASON_BYTES, cut.getMessage().length());
        assertEquals(ErrorCode.INTERNAL, Payloads.readError(Unpooled.buffer().writeShort(999).writeShort(0)).code(),
                "codes from a newer peer read as INTERNAL");
    }

    @Test
    void everyTruncationOrTrailingByteIsMalformed() {
        Map<String, Function<ByteBuf, Object>> readers = Map.of(
                "get", Payloads::readGet,
                "list", Payloads::readList,
                "pong", Payloads::readPong,
                "error", Payloads::readError);
        Map<String, ByteBuf> valid = Map.of(
                "get", Payloads.get(ALLOC, TESSERA, 1),
                "list", Payloads.list(ALLOC, TESSERA),
                "pong", Payloads.pong(ALLOC, NODE, Set.of("get")),
                "error", Payloads.error(ALLOC, ErrorCode.CONFLICT, "c"));
        valid.forEach((name, payload) -> {
            Function<ByteBuf, Object> reader = readers.get(name);
            for (int cut = 0; cut < payload.readableBytes(); cut++) {
                ByteBuf truncated = payload.slice(0, cut);
                PeerException e = assertThrows(PeerException.class, () -> reader.apply(truncated), name + " cut at " + cut);
                assertEquals(ErrorCode.MALFORMED, e.code());
            }
            ByteBuf longer = Unpooled.buffer().writeBytes(payload.duplicate()).writeByte(0);
            assertEquals(ErrorCode.MALFORMED, assertThrows(PeerException.class, () -> reader.apply(longer)).code(), name + " + 1 byte");
        });
        ByteBuf list = Unpooled.buffer().writeInt(2).writeBytes(new byte[Payloads.LIST_ENTRY_LENGTH]);
        PeerException e = assertThrows(PeerException.class, () -> Payloads.readFragmentList(list, TESSERA));
        assertTrue(e.getMessage().contains("announces 2 entries"), e.getMessage());
        ByteBuf header = Unpooled.buffer().writeLong(-1).writeByte(0);
        assertEquals(ErrorCode.MALFORMED, assertThrows(PeerException.class, () -> Payloads.readFragmentHeader(header)).code());
    }
}
