package net.tesseras.replication.internal.proof;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerConnectionInfo;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;

/**
 * A transport that hands extension requests straight to the holder's handlers, as from {@code
 * sender}, and lets a test tamper with the answers on the way back. A handler's PeerException
 * fails the request as the transport would fail it for an ERROR.
 */
class LoopbackClient implements PeerClient {

    final Map<Integer, MessageHandler> handlers = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    volatile UnaryOperator<PeerMessage> tamper = UnaryOperator.identity();
    volatile ErrorCode failWith;
    private final NodeId sender;

    LoopbackClient(NodeId sender) {
        this.sender = sender;
    }

    LoopbackClient handle(int type, MessageHandler handler) {
        handlers.put(type, handler);
        return this;
    }

    @Override
    public CompletionStage<PeerMessage> request(InetSocketAddress peer, PeerMessage message) {
        requests.incrementAndGet();
        if (failWith != null) {
            return CompletableFuture.failedFuture(new PeerException(failWith, "simulated " + failWith + " to " + peer));
        }
        MessageHandler handler = handlers.get(message.type());
        if (handler == null) {
            return CompletableFuture.failedFuture(new PeerException(ErrorCode.UNKNOWN_TYPE, "no handler for type " + message.type()));
        }
        try {
            PeerMessage answer = handler.handle(new PeerRequest(sender, peer, new PeerMessage(message.type(),
                    message.payload().asReadOnlyBuffer())));
            return CompletableFuture.completedFuture(tamper.apply(answer));
        } catch (PeerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A copy of an answer's payload, to tamper with. */
    static byte[] bytes(PeerMessage message) {
        ByteBuffer payload = message.payload().duplicate();
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return bytes;
    }

    @Override
    public CompletionStage<PeerInfo> ping(InetSocketAddress peer) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<ByteBuffer> get(InetSocketAddress peer, FragmentId id) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<FragmentInfo> fetch(InetSocketAddress peer, ContentHash tessera, int index, Path target) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Void> put(InetSocketAddress peer, FragmentId id, ByteBuffer data) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<FragmentInfo>> list(InetSocketAddress peer, ContentHash tessera) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<PeerConnectionInfo> connections() {
        return List.of();
    }
}
