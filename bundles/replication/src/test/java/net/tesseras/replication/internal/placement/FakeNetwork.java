package net.tesseras.replication.internal.placement;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerConnectionInfo;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;

/**
 * Peers in memory, each with the real PlanOfferHandler and ReceiveGuard over its own database,
 * reached through a PeerClient that routes straight to them as {@code self} (the publishing node).
 * Faults are injected per peer. Also the PeerLookup over them.
 */
final class FakeNetwork implements PeerClient, PeerLookup, AutoCloseable {

    /** One peer node. */
    final class Node {
        final Peer peer;
        final SqliteDatabase db = SqliteDatabase.inMemory();
        final AcceptedPlans accepted;
        final FakeLedger ledger = new FakeLedger(1L << 40);
        final PlanOfferHandler offers;
        final ReceiveGuard guard;
        final Map<String, byte[]> stored = new ConcurrentHashMap<>();
        /** PUTs still to fail with {@link #putFailure}. */
        final AtomicInteger failPuts = new AtomicInteger();
        volatile ErrorCode putFailure = ErrorCode.TIMEOUT;
        /** Offers are refused with this, when set. */
        volatile PeerException refuseOffers;
        /** Nothing answers: CONNECTION for every request. */
        volatile boolean down;

        Node(Peer peer) {
            this.peer = peer;
            this.accepted = new AcceptedPlans(db, () -> null, clock);
            this.offers = new PlanOfferHandler(accepted, ledger, () -> 1L << 40, PlanOfferHandler.DEFAULT_MAX_TESSERA_BYTES,
                    ReplicationMetrics.NONE, clock);
            this.guard = new ReceiveGuard(accepted, ledger, PlanOfferHandler.DEFAULT_MAX_TESSERA_BYTES, ReplicationMetrics.NONE);
        }

        boolean holds(ContentHash tessera, int index) {
            return stored.containsKey(tessera.toHex() + "/" + index);
        }
    }

    final NodeId self;
    final Clock clock;
    final List<Node> nodes = new ArrayList<>();
    final List<String> contacted = new CopyOnWriteArrayList<>();
    final AtomicInteger puts = new AtomicInteger();

    FakeNetwork(NodeId self, Clock clock) {
        this.self = self;
        this.clock = clock;
    }

    Node add(Peer peer) {
        Node node = new Node(peer);
        nodes.add(node);
        return node;
    }

    Node node(NodeId id) {
        return nodes.stream().filter(n -> n.peer.nodeId().equals(id)).findFirst().orElseThrow();
    }

    private Node at(InetSocketAddress address) {
        return nodes.stream().filter(n -> n.peer.address().equals(address)).findFirst()
                .orElseThrow(() -> new PeerException(ErrorCode.CONNECTION, "no node at " + address));
    }

    @Override
    public CompletionStage<PeerMessage> request(InetSocketAddress address, PeerMessage message) {
        try {
            Node node = at(address);
            if (node.down) {
                throw new PeerException(ErrorCode.CONNECTION, "node " + address + " is down");
            }
            if (node.refuseOffers != null) {
                throw node.refuseOffers;
            }
            return CompletableFuture.completedFuture(node.offers.handle(new PeerRequest(self, address, message)));
        } catch (PeerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Void> put(InetSocketAddress address, FragmentId id, ByteBuffer data) {
        puts.incrementAndGet();
        // Answered on another thread, as a transport does.
        return CompletableFuture.runAsync(() -> {
            Node node = at(address);
            if (node.down) {
                throw new PeerException(ErrorCode.CONNECTION, "node " + address + " is down");
            }
            if (node.failPuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new PeerException(node.putFailure, "injected " + node.putFailure);
            }
            node.guard.admit(self, id, data.remaining());
            byte[] bytes = new byte[data.remaining()];
            data.duplicate().get(bytes);
            if (!Blake3Hashing.hash(bytes).equals(id.checksum())) {
                throw new PeerException(ErrorCode.CHECKSUM_MISMATCH, "bytes differ from the checksum");
            }
            node.stored.put(id.tessera().toHex() + "/" + id.index(), bytes);
            node.guard.stored(self, new FragmentInfo(id, bytes.length, clock.instant(), Optional.empty()));
        });
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
    public CompletionStage<List<FragmentInfo>> list(InetSocketAddress peer, ContentHash tessera) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<PeerConnectionInfo> connections() {
        return List.of();
    }

    @Override
    public List<Peer> closest(byte[] target, int count) {
        List<Peer> all = nodes.stream().map(n -> n.peer).toList();
        List<Peer> ordered = PlacementRules.byDistance(all, target);
        return ordered.subList(0, Math.min(count, ordered.size()));
    }

    @Override
    public Optional<Peer> find(NodeId nodeId) {
        return nodes.stream().map(n -> n.peer).filter(p -> p.nodeId().equals(nodeId)).findFirst();
    }

    @Override
    public List<Peer> peers() {
        return nodes.stream().map(n -> n.peer).sorted(java.util.Comparator.comparing(Peer::nodeId)).toList();
    }

    @Override
    public void contacted(NodeId peer, boolean answered) {
        contacted.add(peer.toHex() + (answered ? " answered" : " silent"));
    }

    @Override
    public void close() {
        nodes.forEach(n -> n.db.close());
    }
}
