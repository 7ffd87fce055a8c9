package net.tesseras.replication.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerConnectionInfo;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import net.tesseras.transport.PeerMessage;

/**
 * The transport's PeerClient as replication's collaborators see it: whichever one is bound now.
 * The transport bundle may be stopped or updated while the node runs; requests made meanwhile fail
 * like an unreachable peer (CONNECTION), so transfers stay pending and are retried.
 */
final class BoundPeerClient implements PeerClient {

    private volatile PeerClient target;

    void target(PeerClient client) {
        this.target = client;
    }

    PeerClient targetOrNull() {
        return target;
    }

    private <T> CompletionStage<T> call(Function<PeerClient, CompletionStage<T>> request) {
        PeerClient client = target;
        if (client == null) {
            return CompletableFuture.failedFuture(new PeerException(ErrorCode.CONNECTION,
                    "the QUIC transport is not running on this node (try: lb transport)"));
        }
        return request.apply(client);
    }

    @Override
    public CompletionStage<PeerInfo> ping(InetSocketAddress peer) {
        return call(c -> c.ping(peer));
    }

    @Override
    public CompletionStage<ByteBuffer> get(InetSocketAddress peer, FragmentId id) {
        return call(c -> c.get(peer, id));
    }

    @Override
    public CompletionStage<FragmentInfo> fetch(InetSocketAddress peer, ContentHash tessera, int index, Path target) {
        return call(c -> c.fetch(peer, tessera, index, target));
    }

    @Override
    public CompletionStage<Void> put(InetSocketAddress peer, FragmentId id, ByteBuffer data) {
        return call(c -> c.put(peer, id, data));
    }

    @Override
    public CompletionStage<List<FragmentInfo>> list(InetSocketAddress peer, ContentHash tessera) {
        return call(c -> c.list(peer, tessera));
    }

    @Override
    public CompletionStage<PeerMessage> request(InetSocketAddress peer, PeerMessage message) {
        return call(c -> c.request(peer, message));
    }

    @Override
    public List<PeerConnectionInfo> connections() {
        PeerClient client = target;
        return client == null ? List.of() : client.connections();
    }
}
