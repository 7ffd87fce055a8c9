package net.tesseras.replication.internal.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.transport.PeerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bootstrap and refresh over a pretend network, with honest and hostile peers. */
class PeerExchangeTest {

    @TempDir
    Path dir;

    private FakeNetwork network;

    @BeforeEach
    void open() {
        network = new FakeNetwork(dir);
    }

    @AfterEach
    void close() {
        network.close();
    }

    private static Set<NodeId> known(FakeNetwork.Node node) {
        return node.directory.peers().stream().map(Peer::nodeId).collect(Collectors.toSet());
    }

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    @Test
    void threeNodesBootstrappingFromOneSeedLearnEachOther() {
        FakeNetwork.Node a = network.add("10.0.0.1", 4433);
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);
        FakeNetwork.Node c = network.add("10.0.0.3", 4433);

        PeerExchange.Report fromB = b.exchange.bootstrap(List.of(a.address));
        assertEquals(new PeerExchange.Report(1, 1, 1, 0, 1), fromB, "B learns A only: A knew nobody");
        PeerExchange.Report fromC = c.exchange.bootstrap(List.of(a.address));
        assertEquals(2, fromC.answered(), "A, then B in the second round");
        assertEquals(2, fromC.learned());

        assertEquals(Set.of(b.identity.nodeId(), c.identity.nodeId()), known(a), "A learned both from their requests");
        assertEquals(Set.of(a.identity.nodeId(), c.identity.nodeId()), known(b), "B learned C when C asked it");
        assertEquals(Set.of(a.identity.nodeId(), b.identity.nodeId()), known(c));

        Peer bSeenByC = c.directory.find(b.identity.nodeId()).orElseThrow();
        assertEquals(List.of(b.address), bSeenByC.addresses());
        assertEquals(0, bSeenByC.failures());
        assertNotNull(new PeerTable(c.db).find(b.identity.nodeId()).orElseThrow().lastSeen(), "C asked B itself");
        assertTrue(bSeenByC.capabilities().contains("ext_0x26"), "capabilities from B's PONG");
        assertEquals(List.of(c.address), b.directory.find(c.identity.nodeId()).orElseThrow().addresses());
    }

    @Test
    void aSeedThatIsThisNodeIsNotAsked() {
        FakeNetwork.Node a = network.add("10.0.0.1", 4433);
        PeerExchange.Report report = a.exchange.bootstrap(List.of(a.address));
        assertEquals(0, report.answered());
        assertEquals(Set.of(), known(a));
    }

    @Test
    void anUnreachableSeedIsReportedAndSkipped() {
        FakeNetwork.Node a = network.add("10.0.0.1", 4433);
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);
        PeerExchange.Report report = b.exchange.bootstrap(List.of(at("10.9.9.9", 4433), a.address));
        assertEquals(2, report.asked());
        assertEquals(1, report.answered());
        assertEquals(Set.of(a.identity.nodeId()), known(b));
    }

    @Test
    void aWildcardTheSeedAdvertisesBecomesTheAddressItWasReachedAt() {
        FakeNetwork.Node a = network.add("10.0.0.1", 4433);
        a.advertised = List.of(at("0.0.0.0", 4433), at("198.51.100.1", 7000));
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);
        b.exchange.bootstrap(List.of(a.address));
        assertEquals(List.of(a.address, at("198.51.100.1", 7000)), b.directory.find(a.identity.nodeId()).orElseThrow().addresses());
    }

    @Test
    void aSeedDescribingItselfAsAnotherNodeIsIgnored() {
        FakeNetwork.Node liar = network.add("10.0.0.1", 4433);
        MintedIdentity victim = new MintedIdentity();
        liar.handler = request -> PeerWire.encode(new PeerWire.Peers(PeerWireTest.describe(victim, false, liar.address), List.of()));
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);

        PeerExchange.Report report = b.exchange.bootstrap(List.of(liar.address));
        assertEquals(0, report.answered());
        assertEquals(Set.of(), known(b), "neither the liar nor the node it pretends to be");
    }

    @Test
    void listedPeersWhoseKeyAndNonceDoNotDeriveTheirNodeIdAreSkipped() {
        FakeNetwork.Node seed = network.add("10.0.0.1", 4433);
        MintedIdentity honest = new MintedIdentity();
        MintedIdentity other = new MintedIdentity();
        MintedIdentity victim = new MintedIdentity();
        PeerWire.ListedPeer good = new PeerWire.ListedPeer(honest.nodeId().toBytes(),
                PeerWireTest.describe(honest, false, at("10.0.0.7", 4433)));
        PeerWire.ListedPeer forged = new PeerWire.ListedPeer(victim.nodeId().toBytes(),
                PeerWireTest.describe(other, false, at("10.0.0.8", 4433)));
        seed.handler = request -> PeerWire.encode(new PeerWire.Peers(seed.self().describe(), List.of(forged, good)));
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);

        PeerExchange.Report report = b.exchange.bootstrap(List.of(seed.address));

        assertEquals(Set.of(seed.identity.nodeId(), honest.nodeId()), known(b));
        assertFalse(b.directory.find(other.nodeId()).isPresent());
        assertEquals(1, report.answered(), "the seed; the honest peer is not on the network to answer the second round");
        assertEquals(2, report.learned());
    }

    @Test
    void anAnswerListingMorePeersThanAskedIsIgnoredWhole() {
        FakeNetwork.Node seed = network.add("10.0.0.1", 4433);
        List<PeerWire.ListedPeer> tooMany = new ArrayList<>();
        for (int i = 0; i < PeerExchange.ASK_COUNT + 1; i++) {
            MintedIdentity peer = new MintedIdentity();
            tooMany.add(new PeerWire.ListedPeer(peer.nodeId().toBytes(), PeerWireTest.describe(peer, false, at("10.0.1." + i, 4433))));
        }
        seed.handler = request -> PeerWire.encode(new PeerWire.Peers(seed.self().describe(), tooMany));
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);

        assertEquals(0, b.exchange.bootstrap(List.of(seed.address)).answered());
        assertEquals(Set.of(), known(b));
    }

    @Test
    void anAnswerWithTrailingBytesOrOfTheWrongTypeIsIgnored() {
        FakeNetwork.Node seed = network.add("10.0.0.1", 4433);
        seed.handler = request -> {
            ByteBuffer honest = PeerWire.encode(new PeerWire.Peers(seed.self().describe(), List.of())).payload();
            ByteBuffer longer = ByteBuffer.allocate(honest.remaining() + 1).put(honest).put((byte) 0).flip();
            return new PeerMessage(MessageTypes.PEERS, longer);
        };
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);
        assertEquals(0, b.exchange.bootstrap(List.of(seed.address)).answered());

        seed.handler = request -> new PeerMessage(MessageTypes.PLAN, PeerWire.encode(
                new PeerWire.Peers(seed.self().describe(), List.of())).payload());
        assertEquals(0, b.exchange.bootstrap(List.of(seed.address)).answered());
        assertEquals(Set.of(), known(b));
    }

    @Test
    void aPeerListedAtAnAddressWhereAnotherNodeAnswersIsNotTrustedThere() {
        FakeNetwork.Node seed = network.add("10.0.0.1", 4433);
        FakeNetwork.Node squatter = network.add("10.0.0.5", 4433);
        MintedIdentity absent = new MintedIdentity();
        // The seed claims that `absent` listens where `squatter` does.
        seed.handler = request -> PeerWire.encode(new PeerWire.Peers(seed.self().describe(), List.of(
                new PeerWire.ListedPeer(absent.nodeId().toBytes(), PeerWireTest.describe(absent, false, squatter.address)))));
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);

        b.exchange.bootstrap(List.of(seed.address));

        Peer listed = b.directory.find(absent.nodeId()).orElseThrow();
        assertEquals(1, listed.failures(), "the second round pinged it and found another node there");
        assertFalse(b.directory.find(squatter.identity.nodeId()).isPresent(), "the squatter was never asked for its own description");
    }

    @Test
    void refreshRevivesAPeerThatIsBackAndPutsTheAddressThatWorkedFirst() {
        FakeNetwork.Node a = network.add("10.0.0.1", 4433);
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);
        b.exchange.bootstrap(List.of(a.address));
        NodeId aId = a.identity.nodeId();
        // A moves: it now answers at another address only, one B had also heard of.
        InetSocketAddress moved = at("10.0.0.11", 4433);
        b.directory.heard(aId, a.self().describe(), List.of(moved));
        network.remove(a.address);
        for (int i = 0; i < 3; i++) {
            b.directory.contacted(aId, false);
        }
        assertEquals(List.of(), b.directory.closest(aId.toBytes(), 5), "A is believed dead");

        network.alsoAt(a, moved);
        PeerExchange.Report report = b.exchange.refresh();

        assertEquals(1, report.revived());
        Peer revived = b.directory.find(aId).orElseThrow();
        assertEquals(0, revived.failures());
        assertEquals(moved, revived.addresses().get(0));
        assertEquals(1, b.directory.closest(aId.toBytes(), 5).size());
    }

    @Test
    void refreshCountsAnotherFailureForAPeerStillDown() {
        FakeNetwork.Node a = network.add("10.0.0.1", 4433);
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);
        b.exchange.bootstrap(List.of(a.address));
        a.down = true;
        b.directory.contacted(a.identity.nodeId(), false);

        PeerExchange.Report report = b.exchange.refresh();

        assertEquals(0, report.revived());
        // The seed's silence counts against no one (a seed has no expected NodeId); the revive ping counts one.
        assertEquals(2, b.directory.find(a.identity.nodeId()).orElseThrow().failures());
    }

    @Test
    void refreshAsksTheSeedsAgainAndLearnsNewcomers() {
        FakeNetwork.Node a = network.add("10.0.0.1", 4433);
        FakeNetwork.Node b = network.add("10.0.0.2", 4433);
        b.exchange.bootstrap(List.of(a.address));
        FakeNetwork.Node c = network.add("10.0.0.3", 4433);
        c.exchange.bootstrap(List.of(a.address));
        // C's bootstrap already told B about C (second round); a fourth node arrives later and only talks to A.
        FakeNetwork.Node d = network.add("10.0.0.4", 4433);
        d.exchange.bootstrap(List.of(a.address));

        b.exchange.refresh();

        assertTrue(known(b).containsAll(Set.of(a.identity.nodeId(), c.identity.nodeId(), d.identity.nodeId())));
    }
}
