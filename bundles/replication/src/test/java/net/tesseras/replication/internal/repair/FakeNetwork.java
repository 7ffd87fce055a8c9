package net.tesseras.replication.internal.repair;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIds;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.testkit.TestIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerConnectionInfo;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;

/**
 * Peers in one process: each has a real key (a NodeId mined for it), an address, optionally a
 * fragment store and message handlers. The {@link PeerClient} routes to them as the transport would
 * (fetch checks the peer's index checksum, as the real one does); the {@link PeerLookup} knows them.
 */
final class FakeNetwork implements PeerClient, PeerLookup {

    /** One peer. */
    final class Node {
        final Peer peer;
        final FragmentStore store;
        final Map<Integer, MessageHandler> handlers = new LinkedHashMap<>();
        volatile boolean down;
        /** Serves these fragment indices with a flipped byte while listing the right checksum (a lying peer). */
        final Set<Integer> servesWrongBytes = new HashSet<>();

        Node(Peer peer, FragmentStore store) {
            this.peer = peer;
            this.store = store;
        }

        NodeId id() {
            return peer.nodeId();
        }
    }

    private final Map<InetSocketAddress, Node> nodes = new LinkedHashMap<>();
    private final NodeId self;
    final List<String> contacted = new CopyOnWriteArrayList<>();
    final List<String> fetches = new CopyOnWriteArrayList<>();

    FakeNetwork() {
        this.self = peer(new TestIdentity(), new InetSocketAddress("127.0.0.1", 1), Instant.EPOCH).nodeId();
    }

    /** A Peer for a fresh key, with a nonce mined so that the key and nonce derive a NodeId. */
    static Peer peer(TestIdentity key, InetSocketAddress address, Instant lastSeen) {
        for (long nonce = 0;; nonce++) {
            Optional<NodeId> id = NodeIds.derive(key.publicKey(), nonce);
            if (id.isPresent()) {
                return new Peer(id.get(), key.publicKey(), nonce, List.of(address), List.of(), false, Instant.EPOCH,
                        lastSeen, 0);
            }
        }
    }

    synchronized Node add(FragmentStore store, Instant lastSeen) {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 10_000 + nodes.size());
        Node node = new Node(peer(new TestIdentity(), address, lastSeen), store);
        nodes.put(address, node);
        return node;
    }

    synchronized List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    private synchronized Node reachable(InetSocketAddress address) {
        Node node = nodes.get(address);
        if (node == null || node.down) {
            throw new PeerException(ErrorCode.CONNECTION, "no answer from " + address);
        }
        return node;
    }

    private static <T> CompletionStage<T> call(java.util.concurrent.Callable<T> body) {
        try {
            return CompletableFuture.completedFuture(body.call());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // PeerClient

    @Override
    public CompletionStage<PeerInfo> ping(InetSocketAddress peer) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("ping is not used by repair"));
    }

    @Override
    public CompletionStage<ByteBuffer> get(InetSocketAddress peer, FragmentId id) {
        return call(() -> reachable(peer).store.read(id.tessera(), id.index())
                .orElseThrow(() -> new PeerException(ErrorCode.NOT_FOUND, "not held")));
    }

    @Override
    public CompletionStage<FragmentInfo> fetch(InetSocketAddress peer, ContentHash tessera, int index, Path target) {
        return call(() -> {
            Node node = reachable(peer);
            fetches.add(node.id().toHex() + "/" + index);
            FragmentInfo info = node.store.fragments(tessera).stream().filter(f -> f.id().index() == index).findFirst()
                    .orElseThrow(() -> new PeerException(ErrorCode.NOT_FOUND, "fragment " + index + " is not held"));
            ByteBuffer data = node.store.read(tessera, index).orElseThrow();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            if (node.servesWrongBytes.contains(index)) {
                bytes[bytes.length / 2] ^= 1;
                // A transport that did not check would hand these over; the real one refuses them:
                // here they reach the caller, whose store must refuse them.
            }
            Files.write(target, bytes);
            return info;
        });
    }

    @Override
    public CompletionStage<Void> put(InetSocketAddress peer, FragmentId id, ByteBuffer data) {
        return call(() -> {
            reachable(peer).store.store(id, data);
            return null;
        });
    }

    @Override
    public CompletionStage<List<FragmentInfo>> list(InetSocketAddress peer, ContentHash tessera) {
        return call(() -> reachable(peer).store.fragments(tessera));
    }

    @Override
    public CompletionStage<PeerMessage> request(InetSocketAddress peer, PeerMessage message) {
        return call(() -> {
            Node node = reachable(peer);
            MessageHandler handler = node.handlers.get(message.type());
            if (handler == null) {
                throw new PeerException(ErrorCode.UNKNOWN_TYPE, "no handler for type " + message.type());
            }
            return handler.handle(new PeerRequest(self, new InetSocketAddress("127.0.0.1", 1), message));
        });
    }

    @Override
    public List<PeerConnectionInfo> connections() {
        return List.of();
    }

    // PeerLookup

    @Override
    public List<Peer> closest(byte[] target, int count) {
        List<Peer> peers = new ArrayList<>(nodes().stream().map(n -> n.peer).toList());
        peers.sort((a, b) -> java.util.Arrays.compareUnsigned(xor(a.nodeId(), target), xor(b.nodeId(), target)));
        return peers.subList(0, Math.min(count, peers.size()));
    }

    private static byte[] xor(NodeId id, byte[] target) {
        byte[] bytes = id.toBytes();
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] ^= target[i];
        }
        return bytes;
    }

    @Override
    public Optional<Peer> find(NodeId nodeId) {
        return nodes().stream().map(n -> n.peer).filter(p -> p.nodeId().equals(nodeId)).findFirst();
    }

    @Override
    public List<Peer> peers() {
        return nodes().stream().map(n -> n.peer).toList();
    }

    @Override
    public void contacted(NodeId peer, boolean answered) {
        contacted.add(peer.toHex() + (answered ? " answered" : " silent"));
    }
}
