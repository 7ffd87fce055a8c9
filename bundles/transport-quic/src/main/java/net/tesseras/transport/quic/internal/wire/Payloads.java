package net.tesseras.transport.quic.internal.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;

/**
 * Encodes and decodes the payloads of the core messages (layouts in docs/PROTOCOL.md). Decoders
 * check every length before reading and throw a {@link PeerException} with
 * {@link ErrorCode#MALFORMED} naming the field, never an index exception.
 */
public final class Payloads {

    /** Longest reason an ERROR carries; longer ones are cut. */
    public static final int MAX_REASON_BYTES = 1024;
    public static final int GET_LENGTH = ContentHash.LENGTH + 2;
    public static final int FRAGMENT_HEADER_LENGTH = 8 + 1;
    public static final int PUT_HEADER_LENGTH = ContentHash.LENGTH + 2 + 1 + ContentHash.LENGTH + 8;
    public static final int LIST_ENTRY_LENGTH = 2 + 1 + ContentHash.LENGTH + 8 + 8 + 8;
    private static final int PARITY = 0x01;

    private Payloads() {
    }

    // PONG: NodeId, protocol version, capabilities

    public static ByteBuf pong(ByteBufAllocator alloc, NodeId nodeId, Set<String> capabilities) {
        ByteBuf out = alloc.buffer();
        out.writeBytes(nodeId.toBytes());
        out.writeByte(Frame.VERSION);
        out.writeByte(capabilities.size());
        for (String capability : capabilities) {
            byte[] bytes = capability.getBytes(StandardCharsets.US_ASCII);
            out.writeByte(bytes.length);
            out.writeBytes(bytes);
        }
        return out;
    }

    public record Pong(NodeId nodeId, int version, Set<String> capabilities) {
    }

    public static Pong readPong(ByteBuf in) {
        need(in, NodeId.LENGTH + 2, "PONG");
        byte[] id = new byte[NodeId.LENGTH];
        in.readBytes(id);
        NodeId nodeId;
        try {
            nodeId = NodeId.of(id);
        } catch (IllegalArgumentException e) {
            throw malformed("PONG carries an invalid NodeId: " + e.getMessage());
        }
        int version = in.readUnsignedByte();
        int count = in.readUnsignedByte();
        Set<String> capabilities = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            need(in, 1, "PONG capability length");
            int length = in.readUnsignedByte();
            need(in, length, "PONG capability");
            capabilities.add(in.readCharSequence(length, StandardCharsets.US_ASCII).toString());
        }
        end(in, "PONG");
        return new Pong(nodeId, version, capabilities);
    }

    // GET_FRAGMENT: tessera, index

    public record FragmentRef(ContentHash tessera, int index) {
    }

    public static ByteBuf get(ByteBufAllocator alloc, ContentHash tessera, int index) {
        ByteBuf out = alloc.buffer(GET_LENGTH);
        out.writeBytes(tessera.toBytes());
        out.writeShort(FragmentId.checkIndex(index));
        return out;
    }

    public static FragmentRef readGet(ByteBuf in) {
        need(in, GET_LENGTH, "GET_FRAGMENT");
        FragmentRef ref = new FragmentRef(hash(in), in.readUnsignedShort());
        end(in, "GET_FRAGMENT");
        return ref;
    }

    // FRAGMENT (first frame): size, reserved byte, then the bytes. No checksum: the server would
    // have to look it up or hash the bytes for every read; the requester knows what it expects.

    public static void writeFragmentHeader(ByteBuf out, long size) {
        out.writeLong(size);
        out.writeByte(0);
    }

    /** The fragment's size announced by the first FRAGMENT frame. */
    public static long readFragmentHeader(ByteBuf in) {
        need(in, FRAGMENT_HEADER_LENGTH, "FRAGMENT header");
        long size = in.readLong();
        int reserved = in.readUnsignedByte();
        if (size < 0 || reserved != 0) {
            throw malformed("FRAGMENT header has size " + size + " and reserved byte " + reserved);
        }
        return size;
    }

    // PUT_FRAGMENT (first frame): tessera, index, flags, checksum, size, then the bytes

    public record PutHeader(FragmentId id, long size) {
    }

    public static void writePutHeader(ByteBuf out, FragmentId id, long size) {
        out.writeBytes(id.tessera().toBytes());
        out.writeShort(id.index());
        out.writeByte(id.parity() ? PARITY : 0);
        out.writeBytes(id.checksum().toBytes());
        out.writeLong(size);
    }

    public static PutHeader readPutHeader(ByteBuf in) {
        need(in, PUT_HEADER_LENGTH, "PUT_FRAGMENT header");
        ContentHash tessera = hash(in);
        int index = in.readUnsignedShort();
        int flags = in.readUnsignedByte();
        ContentHash checksum = hash(in);
        long size = in.readLong();
        if (size < 0 || (flags & ~PARITY) != 0) {
            throw malformed("PUT_FRAGMENT header has size " + size + " and flags " + flags);
        }
        return new PutHeader(new FragmentId(tessera, index, (flags & PARITY) != 0, checksum), size);
    }

    // LIST_FRAGMENTS: tessera. FRAGMENT_LIST: count, entries.

    public static ByteBuf list(ByteBufAllocator alloc, ContentHash tessera) {
        return alloc.buffer(ContentHash.LENGTH).writeBytes(tessera.toBytes());
    }

    public static ContentHash readList(ByteBuf in) {
        need(in, ContentHash.LENGTH, "LIST_FRAGMENTS");
        ContentHash tessera = hash(in);
        end(in, "LIST_FRAGMENTS");
        return tessera;
    }

    public static ByteBuf fragmentList(ByteBufAllocator alloc, List<FragmentInfo> fragments) {
        ByteBuf out = alloc.buffer(4 + fragments.size() * LIST_ENTRY_LENGTH);
        out.writeInt(fragments.size());
        for (FragmentInfo info : fragments) {
            out.writeShort(info.id().index());
            out.writeByte(info.id().parity() ? PARITY : 0);
            out.writeBytes(info.id().checksum().toBytes());
            out.writeLong(info.size());
            out.writeLong(info.storedAt().toEpochMilli());
            out.writeLong(info.lastVerified().map(Instant::toEpochMilli).orElse(-1L));
        }
        return out;
    }

    public static List<FragmentInfo> readFragmentList(ByteBuf in, ContentHash tessera) {
        need(in, 4, "FRAGMENT_LIST count");
        long count = in.readUnsignedInt();
        if (count * LIST_ENTRY_LENGTH != in.readableBytes()) {
            throw malformed("FRAGMENT_LIST announces " + count + " entries in " + in.readableBytes() + " bytes");
        }
        List<FragmentInfo> fragments = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            int index = in.readUnsignedShort();
            int flags = in.readUnsignedByte();
            ContentHash checksum = hash(in);
            long size = in.readLong();
            long storedAt = in.readLong();
            long verified = in.readLong();
            if (size < 0 || (flags & ~PARITY) != 0) {
                throw malformed("FRAGMENT_LIST entry " + i + " has size " + size + " and flags " + flags);
            }
            fragments.add(new FragmentInfo(new FragmentId(tessera, index, (flags & PARITY) != 0, checksum), size,
                    Instant.ofEpochMilli(storedAt), verified < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(verified))));
        }
        return fragments;
    }

    // ERROR: code, reason

    public static ByteBuf error(ByteBufAllocator alloc, ErrorCode code, String reason) {
        byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, MAX_REASON_BYTES);
        ByteBuf out = alloc.buffer(4 + length);
        out.writeShort(code.wire());
        out.writeShort(length);
        out.writeBytes(text, 0, length);
        return out;
    }

    /** The peer's ERROR as an exception carrying its code and reason. */
    public static PeerException readError(ByteBuf in) {
        need(in, 4, "ERROR");
        int code = in.readUnsignedShort();
        int length = in.readUnsignedShort();
        need(in, length, "ERROR reason");
        String reason = in.readCharSequence(length, StandardCharsets.UTF_8).toString();
        end(in, "ERROR");
        return new PeerException(ErrorCode.ofWire(code), reason.isEmpty() ? ErrorCode.ofWire(code).name() : reason);
    }

    private static ContentHash hash(ByteBuf in) {
        byte[] bytes = new byte[ContentHash.LENGTH];
        in.readBytes(bytes);
        return ContentHash.of(bytes);
    }

    private static void need(ByteBuf in, int bytes, String what) {
        if (in.readableBytes() < bytes) {
            throw malformed(what + " needs " + bytes + " bytes, only " + in.readableBytes() + " left");
        }
    }

    private static void end(ByteBuf in, String what) {
        if (in.isReadable()) {
            throw malformed(what + " has " + in.readableBytes() + " unexpected trailing bytes");
        }
    }

    private static PeerException malformed(String message) {
        return new PeerException(ErrorCode.MALFORMED, message);
    }
}
