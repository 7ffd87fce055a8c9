package net.tesseras.replication.internal.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server side of peer exchange: who gets recorded, at which address, and what the answer lists. */
class FindPeersHandlerTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private final MintedIdentity me = new MintedIdentity();
    private PeerDirectory directory;
    private FindPeersHandler handler;
    private final InetSocketAddress observed = new InetSocketAddress("203.0.113.9", 50123);

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("node.db")));
        directory = new PeerDirectory(new PeerTable(db), me.nodeId(), Clock.systemUTC(), 3, Set.of());
        handler = new FindPeersHandler(directory,
                () -> new SelfDescription(me, List.of(new InetSocketAddress("0.0.0.0", 4433)), true));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private PeerMessage ask(NodeId authenticated, PeerDescription announced, byte[] target, int max) {
        PeerMessage request = PeerWire.encode(new PeerWire.FindPeers(target, max, announced));
        return handler.handle(new PeerRequest(authenticated, observed, request));
    }

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    @Test
    void aSenderAnnouncingAnotherNodesKeyIsRefusedAndNotRecorded() {
        MintedIdentity sender = new MintedIdentity();
        MintedIdentity victim = new MintedIdentity();
        PeerException e = assertThrows(PeerException.class,
                () -> ask(sender.nodeId(), PeerWireTest.describe(victim, false, at("203.0.113.9", 4433)), new byte[20], 5));
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertEquals("FIND_PEERS: the announced public key and nonce derive NodeId " + victim.nodeId() + ", not " + sender.nodeId()
                + ", the NodeId this connection authenticated; announce this node's own key and nonce", e.getMessage());
        assertEquals(List.of(), directory.peers());
    }

    @Test
    void aNonceThatIsNoProofOfWorkIsRefused() {
        MintedIdentity sender = new MintedIdentity();
        long badNonce = sender.nonce() + 1;
        while (net.tesseras.identity.NodeIds.derive(sender.publicKey(), badNonce).isPresent()) {
            badNonce++;
        }
        PeerDescription forged = new PeerDescription(sender.publicKey(), badNonce, false, List.of());
        PeerException e = assertThrows(PeerException.class, () -> ask(sender.nodeId(), forged, new byte[20], 5));
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertTrue(e.getMessage().contains("are no proof of work (they derive no NodeId), not " + sender.nodeId()), e.getMessage());
        assertEquals(List.of(), directory.peers());
    }

    @Test
    void aMalformedRequestIsRefusedAndNothingRecorded() {
        PeerException e = assertThrows(PeerException.class, () -> handler.handle(new PeerRequest(MintedIdentity.newNodeId(), observed,
                new PeerMessage(MessageTypes.FIND_PEERS, ByteBuffer.wrap(new byte[25])))));
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertTrue(e.getMessage().startsWith("FIND_PEERS: payload of 25 bytes ends inside the public key of the sender"), e.getMessage());
        assertEquals(List.of(), directory.peers());
    }

    @Test
    void aWildcardAddressBecomesTheObservedIpWithTheAnnouncedPort() {
        MintedIdentity sender = new MintedIdentity();
        ask(sender.nodeId(), PeerWireTest.describe(sender, false, at("0.0.0.0", 4433), at("198.51.100.4", 4434)), new byte[20], 5);

        Peer recorded = directory.find(sender.nodeId()).orElseThrow();
        assertEquals(List.of(at("203.0.113.9", 4433), at("198.51.100.4", 4434)), recorded.addresses());
        assertEquals(0, recorded.failures());
        assertFalse(recorded.institutional());
    }

    @Test
    void aLoopbackAddressFromARemoteSenderBecomesTheObservedIp() {
        MintedIdentity sender = new MintedIdentity();
        ask(sender.nodeId(), PeerWireTest.describe(sender, true, at("127.0.0.1", 4433)), new byte[20], 5);
        Peer recorded = directory.find(sender.nodeId()).orElseThrow();
        assertEquals(List.of(at("203.0.113.9", 4433)), recorded.addresses());
        assertTrue(recorded.institutional(), "its own claim");
    }

    @Test
    void aSenderAnnouncingNoAddressIsKnownButNotListed() {
        MintedIdentity sender = new MintedIdentity();
        ask(sender.nodeId(), PeerWireTest.describe(sender, false), new byte[20], 5);
        assertEquals(List.of(), directory.find(sender.nodeId()).orElseThrow().addresses(),
                "the port it was seen at is its sending socket's, not where it listens");
        assertEquals(List.of(), directory.closest(sender.nodeId().toBytes(), 5), "nowhere to dial it");
    }

    @Test
    void theAnswerDescribesThisNodeThenTheClosestPeersButNotTheRequester() {
        List<MintedIdentity> known = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            MintedIdentity peer = new MintedIdentity();
            directory.announced(peer.nodeId(), PeerWireTest.describe(peer, false), List.of(at("10.0.0." + i, 4433)), null);
            known.add(peer);
        }
        directory.setInstitutional(Set.of(known.get(0).nodeId()));
        MintedIdentity requester = new MintedIdentity();
        byte[] target = requester.nodeId().toBytes();

        PeerMessage answer = ask(requester.nodeId(), PeerWireTest.describe(requester, false), target, 4);

        assertEquals(MessageTypes.PEERS, answer.type());
        PeerWire.Peers peers = PeerWire.decodePeers(answer.payload(), 4);
        assertEquals(me.nodeId(), peers.answerer().nodeId().orElseThrow());
        assertTrue(peers.answerer().institutional());
        assertEquals(List.of(at("0.0.0.0", 4433)), peers.answerer().addresses(), "sent as configured; the receiver substitutes");
        XorDistance distance = new XorDistance(target);
        List<NodeId> expected = known.stream().map(MintedIdentity::nodeId)
                .sorted((a, b) -> distance.compare(a.toBytes(), b.toBytes())).limit(4).toList();
        assertEquals(expected, peers.peers().stream().map(p -> NodeId.of(p.nodeId())).toList());
        for (PeerWire.ListedPeer listed : peers.peers()) {
            assertTrue(listed.consistent());
            NodeId id = NodeId.of(listed.nodeId());
            assertEquals(directory.find(id).orElseThrow().addresses(), listed.description().addresses());
            assertEquals(id.equals(known.get(0).nodeId()), listed.description().institutional());
        }
        assertTrue(directory.find(requester.nodeId()).isPresent(), "the requester is now known");
        assertFalse(peers.peers().stream().anyMatch(p -> NodeId.of(p.nodeId()).equals(requester.nodeId())));
    }

    @Test
    void noAnswerListsMoreThan32Peers() {
        for (int i = 0; i < 40; i++) {
            MintedIdentity peer = new MintedIdentity();
            directory.announced(peer.nodeId(), PeerWireTest.describe(peer, false), List.of(at("10.0.1." + i, 4433)), null);
        }
        MintedIdentity requester = new MintedIdentity();
        PeerMessage answer = ask(requester.nodeId(), PeerWireTest.describe(requester, false), new byte[20], 255);
        assertEquals(32, PeerWire.decodePeers(answer.payload(), 255).peers().size());
    }

    @Test
    void deadPeersAreNotListed() {
        MintedIdentity dead = new MintedIdentity();
        directory.announced(dead.nodeId(), PeerWireTest.describe(dead, false), List.of(at("10.0.0.1", 4433)), null);
        for (int i = 0; i < 3; i++) {
            directory.contacted(dead.nodeId(), false);
        }
        MintedIdentity requester = new MintedIdentity();
        PeerMessage answer = ask(requester.nodeId(), PeerWireTest.describe(requester, false), dead.nodeId().toBytes(), 5);
        assertEquals(List.of(), PeerWire.decodePeers(answer.payload(), 5).peers());
    }
}
