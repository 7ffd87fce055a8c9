package net.tesseras.replication.internal.peers;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerConnectionInfo;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;

/**
 * Nodes on a pretend network: each with its own SQLite database, peer directory, FIND_PEERS
 * handler and peer exchange, reached at an address through a {@link PeerClient} that routes pings
 * and extension requests straight to the node there, attributed to the caller's NodeId as the
 * transport's authentication would.
 */
final class FakeNetwork implements AutoCloseable {

    final class Node {
        final MintedIdentity identity = new MintedIdentity();
        final InetSocketAddress address;
        final SqliteDatabase db;
        final PeerDirectory directory;
        final PeerExchange exchange;
        volatile List<InetSocketAddress> advertised;
        volatile MessageHandler handler;
        volatile boolean down;

        Node(InetSocketAddress address, Path dir) {
            this.address = address;
            this.advertised = List.of(address);
            this.db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve(address.getAddress().getHostAddress() + "-" + address.getPort() + ".db")));
            this.directory = new PeerDirectory(new PeerTable(db), identity.nodeId(), Clock.systemUTC(),
                    PeerDirectory.DEFAULT_DEAD_AFTER_FAILURES, Set.of());
            this.handler = new FindPeersHandler(directory, this::self);
            this.exchange = new PeerExchange(new Client(this), directory, this::self);
        }

        SelfDescription self() {
            return new SelfDescription(identity, advertised, false);
        }
    }

    /** What one node's transport would do, minus QUIC. */
    private final class Client implements PeerClient {
        private final Node caller;

        Client(Node caller) {
            this.caller = caller;
        }

        private Node reach(InetSocketAddress address) {
            Node node = nodes.get(address);
            if (node == null || node.down) {
                throw new PeerException(ErrorCode.CONNECTION, "nothing answers at " + address);
            }
            return node;
        }

        @Override
        public CompletionStage<PeerInfo> ping(InetSocketAddress peer) {
            pings.add(peer);
            try {
                Node node = reach(peer);
                return CompletableFuture.completedFuture(new PeerInfo(node.identity.nodeId(), 1,
                        Set.of("get", "list", "ext_0x" + Integer.toHexString(MessageTypes.FIND_PEERS)), Duration.ofMillis(1)));
            } catch (PeerException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletionStage<PeerMessage> request(InetSocketAddress peer, PeerMessage message) {
            try {
                Node node = reach(peer);
                // The answer travels as bytes: hand back a fresh buffer as the transport would.
                PeerMessage answer = node.handler.handle(new PeerRequest(caller.identity.nodeId(), caller.address, message));
                ByteBuffer copy = ByteBuffer.allocate(answer.payload().remaining()).put(answer.payload().duplicate()).flip();
                return CompletableFuture.completedFuture(new PeerMessage(answer.type(), copy));
            } catch (PeerException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletionStage<ByteBuffer> get(InetSocketAddress peer, FragmentId id) {
            throw new UnsupportedOperationException("peer exchange never reads fragments");
        }

        @Override
        public CompletionStage<FragmentInfo> fetch(InetSocketAddress peer, ContentHash tessera, int index, Path target) {
            throw new UnsupportedOperationException("peer exchange never reads fragments");
        }

        @Override
        public CompletionStage<Void> put(InetSocketAddress peer, FragmentId id, ByteBuffer data) {
            throw new UnsupportedOperationException("peer exchange never stores fragments");
        }

        @Override
        public CompletionStage<List<FragmentInfo>> list(InetSocketAddress peer, ContentHash tessera) {
            throw new UnsupportedOperationException("peer exchange never lists fragments");
        }

        @Override
        public List<PeerConnectionInfo> connections() {
            return List.of();
        }
    }

    private final Path dir;
    private final Map<InetSocketAddress, Node> nodes = new ConcurrentHashMap<>();
    /** Every address pinged, in order. */
    final List<InetSocketAddress> pings = java.util.Collections.synchronizedList(new ArrayList<>());

    FakeNetwork(Path dir) {
        this.dir = dir;
    }

    Node add(String ip, int port) {
        InetSocketAddress address = new InetSocketAddress(ip, port);
        Node node = new Node(address, dir);
        nodes.put(address, node);
        return node;
    }

    /** The same node now answers at another address as well (or instead, once {@code old} is removed). */
    void alsoAt(Node node, InetSocketAddress address) {
        nodes.put(address, node);
    }

    void remove(InetSocketAddress address) {
        nodes.remove(address);
    }

    @Override
    public void close() {
        nodes.values().stream().distinct().forEach(n -> n.db.close());
    }
}
