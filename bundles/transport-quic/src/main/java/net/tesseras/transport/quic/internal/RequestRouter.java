package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import net.tesseras.transport.WriteGuard;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;
import net.tesseras.transport.quic.internal.wire.Payloads.PutHeader;

/**
 * What the node answers to each message type: the core messages against the current
 * {@link FragmentStore}, extension types through the {@link MessageHandler} whiteboard. Runs on
 * the request executor, except ping and {@link #getIfInMemory}, which touch nothing but memory.
 */
final class RequestRouter {

    private static final List<String> CORE_CAPABILITIES = List.of("get", "put", "list");

    private final NodeIdentity identity;
    private final Supplier<FragmentStore> store;
    private final Map<Integer, MessageHandler> handlers = new ConcurrentHashMap<>();
    private volatile TransportSettings settings;
    private volatile WriteGuard writeGuard;

    RequestRouter(NodeIdentity identity, Supplier<FragmentStore> store, TransportSettings settings) {
        this.identity = identity;
        this.store = store;
        this.settings = settings;
    }

    void settings(TransportSettings settings) {
        this.settings = settings;
    }

    TransportSettings settings() {
        return settings;
    }

    NodeId nodeId() {
        return identity.nodeId();
    }

    /** The guard consulted under {@code write.policy = replication}, or null when none is running. */
    void writeGuard(WriteGuard guard) {
        this.writeGuard = guard;
    }

    void addHandler(int type, MessageHandler handler) {
        handlers.put(MessageHandler.checkExtensionType(type), handler);
    }

    void removeHandler(int type, MessageHandler handler) {
        handlers.remove(type, handler);
    }

    boolean handles(int type) {
        return handlers.containsKey(type);
    }

    /**
     * The capabilities a PONG announces: the core operations this node accepts (no "put" while
     * {@code write.policy = none} refuses every PUT) and every extension type served.
     */
    Set<String> capabilities() {
        Set<String> capabilities = new LinkedHashSet<>(CORE_CAPABILITIES);
        if (settings.writePolicy() == TransportSettings.WritePolicy.NONE) {
            capabilities.remove("put");
        }
        handlers.keySet().stream().sorted().forEach(type -> capabilities.add(FrameType.name(type)));
        return capabilities;
    }

    ByteBuf pong(ByteBufAllocator alloc) {
        return Payloads.pong(alloc, identity.nodeId(), capabilities());
    }

    /**
     * Event loop: the FRAGMENT body (header and bytes, not copied) if the store holds the fragment
     * in memory and can hand it out without blocking, else null (a worker then {@link #open opens}
     * it).
     */
    ByteBuf getIfInMemory(ByteBufAllocator alloc, Payloads.FragmentRef ref) {
        Optional<ByteBuffer> data = store().readIfInMemory(ref.tessera(), ref.index());
        if (data.isEmpty()) {
            return null;
        }
        ByteBuffer bytes = data.get();
        ByteBuf header = alloc.buffer(Payloads.FRAGMENT_HEADER_LENGTH);
        Payloads.writeFragmentHeader(header, bytes.remaining());
        return Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(bytes));
    }

    /** Worker: the fragment's bytes as a channel to stream from, or a PeerException NOT_FOUND. */
    SeekableByteChannel open(Payloads.FragmentRef ref) {
        return store().open(ref.tessera(), ref.index())
                .orElseThrow(() -> new PeerException(ErrorCode.NOT_FOUND, "no fragment " + ref.tessera().toShortHex(12) + "/" + ref.index()));
    }

    ByteBuf list(ByteBufAllocator alloc, ContentHash tessera) {
        List<FragmentInfo> fragments = store().fragments(tessera);
        if (fragments.size() * (long) Payloads.LIST_ENTRY_LENGTH + 4 > settings.maxMessageBytes()) {
            throw new PeerException(ErrorCode.TOO_LARGE, "the list of " + fragments.size() + " fragments exceeds max.message.kb");
        }
        return Payloads.fragmentList(alloc, fragments);
    }

    /**
     * Event loop: checks a PUT before any of its bytes are read: the write policy and the limits.
     *
     * @return the {@link WriteGuard} that must {@link WriteGuard#admit admit} the PUT on the request
     *     executor (under {@code write.policy = replication}), or null when the policy needs none
     */
    WriteGuard admitPut(NodeId peer, PutHeader header) {
        TransportSettings current = settings;
        WriteGuard guard = null;
        if (current.writePolicy() == TransportSettings.WritePolicy.REPLICATION) {
            // Taken once, so the guard that admits is the one told about the stored fragment.
            guard = writeGuard;
            if (guard == null) {
                throw new PeerException(ErrorCode.UNAVAILABLE,
                        "write.policy = replication but no replication service is running on this node");
            }
        }
        if (!current.mayWrite(peer)) {
            throw new PeerException(ErrorCode.FORBIDDEN, switch (current.writePolicy()) {
                case NONE -> "this node accepts no fragments from peers (write.policy = none); its operator may set write.policy"
                        + " to allow-list (with write.allow) or any in etc/net.tesseras.transport.cfg";
                default -> "node " + peer + " may not store fragments here (write.policy = " + current.writePolicy().key()
                        + "); this node's operator may add it to write.allow in etc/net.tesseras.transport.cfg";
            });
        }
        if (header.size() > current.maxFragmentBytes()) {
            throw new PeerException(ErrorCode.TOO_LARGE,
                    "fragment of " + header.size() + " bytes exceeds max.fragment.mb (" + current.maxFragmentBytes() + " bytes)");
        }
        return guard;
    }

    /** Stores an upload as its chunks arrive; the store verifies the checksum before acknowledging. */
    FragmentInfo store(PutHeader header, ChunkPipe data) {
        return store().store(header.id(), data, header.size());
    }

    PeerMessage extension(PeerRequest request) {
        MessageHandler handler = handlers.get(request.message().type());
        if (handler == null) {
            throw new PeerException(ErrorCode.UNKNOWN_TYPE, "no handler for message type " + request.message().type());
        }
        PeerMessage response = handler.handle(request);
        if (response == null) {
            throw new PeerException(ErrorCode.INTERNAL, "the handler of type " + request.message().type() + " gave no answer");
        }
        return response;
    }

    private FragmentStore store() {
        FragmentStore current = store.get();
        if (current == null) {
            throw new PeerException(ErrorCode.UNAVAILABLE, "this node's configured fragment store is not available right now; nothing was stored or read");
        }
        return current;
    }
}
