package net.tesseras.replication.internal.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer table and directory over a real SQLite database. */
class PeerDirectoryTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    private final MintedIdentity me = new MintedIdentity();
    private PeerDirectory directory;

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("node.db")));
        directory = newDirectory();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private PeerDirectory newDirectory() {
        return new PeerDirectory(new PeerTable(db), me.nodeId(), clock, PeerDirectory.DEFAULT_DEAD_AFTER_FAILURES, Set.of());
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(long seconds) {
            now = now.plusSeconds(seconds);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    private Peer add(MintedIdentity identity, InetSocketAddress... addresses) {
        return directory.announced(identity.nodeId(), PeerWireTest.describe(identity, false, addresses), List.of(addresses), null)
                .orElseThrow();
    }

    private static BigInteger distance(NodeId id, byte[] target) {
        byte[] a = id.toBytes();
        byte[] x = new byte[20];
        for (int i = 0; i < 20; i++) {
            x[i] = (byte) (a[i] ^ target[i]);
        }
        return new BigInteger(1, x);
    }

    @Test
    void closestFollowsXorDistanceAsUnsignedBigEndianNumbers() {
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            MintedIdentity peer = new MintedIdentity();
            add(peer, at("10.0.0." + i, 4433));
            ids.add(peer.nodeId());
        }
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            byte[] target = new byte[20];
            random.nextBytes(target);
            if (round == 0) {
                target[0] = (byte) 0xff; // high bytes whose signed reading would invert the order
            }
            List<NodeId> expected = ids.stream().sorted(Comparator.comparing(id -> distance(id, target))).limit(13).toList();
            assertEquals(expected, directory.closest(target, 13).stream().map(Peer::nodeId).toList(), "target round " + round);
        }
        byte[] exact = ids.get(5).toBytes();
        assertEquals(ids.get(5), directory.closest(exact, 1).get(0).nodeId(), "distance 0 first");
        assertEquals(60, directory.closest(exact, 100).size());
        assertEquals(List.of(), directory.closest(exact, 0));
        assertThrows(IllegalArgumentException.class, () -> directory.closest(new byte[19], 3));
    }

    @Test
    void thisNodeIsNeverRecordedNorListed() {
        assertTrue(directory.announced(me.nodeId(), PeerWireTest.describe(me, false), List.of(at("10.0.0.1", 1)), null).isEmpty());
        assertTrue(directory.heard(me.nodeId(), PeerWireTest.describe(me, false), List.of(at("10.0.0.1", 1))).isEmpty());
        add(new MintedIdentity(), at("10.0.0.2", 1));
        assertEquals(1, directory.peers().size());
        assertFalse(directory.closest(me.nodeId().toBytes(), 10).stream().anyMatch(p -> p.nodeId().equals(me.nodeId())));
    }

    @Test
    void deadPeersAreLeftOutAndASuccessRevivesThem() {
        MintedIdentity flaky = new MintedIdentity();
        MintedIdentity steady = new MintedIdentity();
        add(flaky, at("10.0.0.1", 1));
        add(steady, at("10.0.0.2", 1));
        byte[] target = flaky.nodeId().toBytes();

        directory.contacted(flaky.nodeId(), false);
        directory.contacted(flaky.nodeId(), false);
        assertEquals(2, directory.find(flaky.nodeId()).orElseThrow().failures());
        assertEquals(2, directory.closest(target, 5).size(), "2 failures: still alive with the default threshold 3");

        directory.contacted(flaky.nodeId(), false);
        assertEquals(List.of(steady.nodeId()), directory.closest(target, 5).stream().map(Peer::nodeId).toList());
        assertEquals(2, directory.peers().size(), "dead peers stay in the table");
        assertEquals(List.of(flaky.nodeId()), directory.failing(10).stream().map(Peer::nodeId).toList());

        clock.advance(60);
        directory.contacted(flaky.nodeId(), true);
        Peer revived = directory.find(flaky.nodeId()).orElseThrow();
        assertEquals(0, revived.failures());
        assertEquals(clock.instant(), revived.lastSeen());
        assertEquals(2, directory.closest(target, 5).size());
    }

    @Test
    void theThresholdIsConfigurableLive() {
        MintedIdentity peer = new MintedIdentity();
        add(peer, at("10.0.0.1", 1));
        directory.contacted(peer.nodeId(), false);
        assertEquals(1, directory.closest(peer.nodeId().toBytes(), 5).size());
        directory.setDeadAfterFailures(1);
        assertEquals(0, directory.closest(peer.nodeId().toBytes(), 5).size());
        assertThrows(IllegalArgumentException.class, () -> directory.setDeadAfterFailures(0));
    }

    @Test
    void contactingAnUnknownPeerChangesNothing() {
        directory.contacted(MintedIdentity.newNodeId(), true);
        assertEquals(List.of(), directory.peers());
    }

    @Test
    void aKnownPeersNewAddressGoesFirstAndFirstSeenIsKept() {
        MintedIdentity peer = new MintedIdentity();
        Peer first = add(peer, at("10.0.0.1", 4433));
        clock.advance(100);
        directory.contacted(peer.nodeId(), false);
        Peer moved = add(peer, at("10.0.0.9", 4433), at("10.0.0.1", 4433));

        assertEquals(List.of(at("10.0.0.9", 4433), at("10.0.0.1", 4433)), moved.addresses());
        assertEquals(first.firstSeen(), moved.firstSeen());
        assertEquals(clock.instant(), moved.lastSeen());
        assertEquals(1, moved.failures(), "failures count this node's own requests only");

        directory.workedAt(peer.nodeId(), at("10.0.0.1", 4433));
        assertEquals(List.of(at("10.0.0.1", 4433), at("10.0.0.9", 4433)), directory.find(peer.nodeId()).orElseThrow().addresses());
    }

    @Test
    void addressesAreBoundedTheOldestDropped() {
        MintedIdentity peer = new MintedIdentity();
        for (int i = 0; i < 12; i++) {
            add(peer, at("10.0.1." + i, 4433));
        }
        List<InetSocketAddress> kept = directory.find(peer.nodeId()).orElseThrow().addresses();
        assertEquals(IntStream.iterate(11, i -> i - 1).limit(8).mapToObj(i -> at("10.0.1." + i, 4433)).toList(), kept);
    }

    @Test
    void hearsayNeverDisplacesWhatThePeerSaidItself() {
        MintedIdentity peer = new MintedIdentity();
        directory.announced(peer.nodeId(), PeerWireTest.describe(peer, true), List.of(at("10.0.0.1", 4433)), List.of("get", "put"));
        Peer heard = directory.heard(peer.nodeId(), PeerWireTest.describe(peer, false), List.of(at("10.6.6.6", 4433))).orElseThrow();

        assertEquals(List.of(at("10.0.0.1", 4433), at("10.6.6.6", 4433)), heard.addresses());
        assertTrue(heard.institutional(), "its own claim stands");
        assertEquals(List.of("get", "put"), heard.capabilities());
    }

    @Test
    void aPeerOnlyHeardOfHasNoClaimAndWasNeverSeen() {
        MintedIdentity peer = new MintedIdentity();
        clock.advance(5);
        Peer heard = directory.heard(peer.nodeId(), PeerWireTest.describe(peer, true), List.of(at("10.0.0.1", 4433))).orElseThrow();
        assertFalse(heard.institutional(), "a third party's word does not make a peer institutional");
        assertEquals(clock.instant(), heard.firstSeen());
        assertEquals(heard.firstSeen(), heard.lastSeen());
        assertEquals(0, heard.failures());
        assertTrue(new PeerTable(db).find(peer.nodeId()).orElseThrow().lastSeen() == null);
    }

    @Test
    void institutionalIsTheOperatorsListOrTheOwnClaim() {
        MintedIdentity listed = new MintedIdentity();
        MintedIdentity claiming = new MintedIdentity();
        MintedIdentity plain = new MintedIdentity();
        add(listed, at("10.0.0.1", 1));
        directory.announced(claiming.nodeId(), PeerWireTest.describe(claiming, true), List.of(at("10.0.0.2", 1)), null);
        add(plain, at("10.0.0.3", 1));

        assertFalse(directory.find(listed.nodeId()).orElseThrow().institutional());
        directory.setInstitutional(Set.of(listed.nodeId()));
        assertTrue(directory.find(listed.nodeId()).orElseThrow().institutional(), "the operator's list applies live");
        assertTrue(directory.find(claiming.nodeId()).orElseThrow().institutional());
        assertFalse(directory.find(plain.nodeId()).orElseThrow().institutional());
    }

    @Test
    void aNewDirectoryOverTheSameDatabaseKnowsEveryPeer() {
        MintedIdentity a = new MintedIdentity();
        MintedIdentity b = new MintedIdentity();
        add(a, at("10.0.0.1", 4433), at("2001:db8::5", 4433));
        directory.announced(b.nodeId(), PeerWireTest.describe(b, true), List.of(at("10.0.0.2", 4433)), List.of("get", "ext_0x26"));
        directory.contacted(b.nodeId(), false);
        List<Peer> before = directory.peers();

        db.close();
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("node.db")));
        PeerDirectory reopened = newDirectory();

        assertEquals(before, reopened.peers());
        assertEquals(2, before.size());
        assertEquals(List.of(at("10.0.0.1", 4433), at("2001:db8::5", 4433)), reopened.find(a.nodeId()).orElseThrow().addresses());
        assertEquals(directory.closest(a.nodeId().toBytes(), 2), reopened.closest(a.nodeId().toBytes(), 2));
    }

    @Test
    void aDescriptionThatDoesNotDeriveTheNodeIdIsRefused() {
        MintedIdentity a = new MintedIdentity();
        MintedIdentity b = new MintedIdentity();
        assertThrows(IllegalArgumentException.class,
                () -> directory.announced(a.nodeId(), PeerWireTest.describe(b, false), List.of(at("10.0.0.1", 1)), null));
        assertEquals(List.of(), directory.peers());
    }

    @Test
    void peersAreInNodeIdOrder() {
        for (int i = 0; i < 10; i++) {
            add(new MintedIdentity(), at("10.0.0." + i, 1));
        }
        List<NodeId> ids = directory.peers().stream().map(Peer::nodeId).toList();
        assertEquals(ids.stream().sorted().toList(), ids);
    }

    @Test
    void aFullTableMakesRoomOnlyByRemovingDeadOrUnprovenPeers() {
        directory.setMaxPeers(3);
        MintedIdentity a = new MintedIdentity();
        MintedIdentity b = new MintedIdentity();
        MintedIdentity heardOf = new MintedIdentity();
        add(a, at("10.0.0.1", 1));
        add(b, at("10.0.0.2", 1));
        directory.heard(heardOf.nodeId(), PeerWireTest.describe(heardOf, false), List.of(at("10.0.0.3", 1)));

        MintedIdentity newcomer = new MintedIdentity();
        assertTrue(directory.announced(newcomer.nodeId(), PeerWireTest.describe(newcomer, false), List.of(at("10.0.0.4", 1)), null)
                .isPresent(), "the peer only heard of makes room");
        assertFalse(directory.find(heardOf.nodeId()).isPresent());

        MintedIdentity flood = new MintedIdentity();
        assertTrue(directory.announced(flood.nodeId(), PeerWireTest.describe(flood, false), List.of(at("10.0.0.5", 1)), null).isEmpty(),
                "every peer is alive and seen: the newcomer is not recorded");
        assertEquals(3, directory.size());

        for (int i = 0; i < 3; i++) {
            directory.contacted(a.nodeId(), false);
        }
        assertTrue(directory.heard(flood.nodeId(), PeerWireTest.describe(flood, false), List.of(at("10.0.0.5", 1))).isPresent(),
                "a dead peer makes room");
        assertEquals(Set.of(b.nodeId(), newcomer.nodeId(), flood.nodeId()),
                newDirectory().peers().stream().map(Peer::nodeId).collect(java.util.stream.Collectors.toSet()), "removed from the table too");
        assertTrue(directory.announced(b.nodeId(), PeerWireTest.describe(b, false), List.of(at("10.0.0.9", 1)), null).isPresent(),
                "a known peer is always updated");
    }
}
