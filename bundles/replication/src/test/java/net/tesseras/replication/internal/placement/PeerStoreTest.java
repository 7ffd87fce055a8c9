package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeerStoreTest {

    private final TestPeers peers = new TestPeers(19);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    private final NodeId self = peers.at("10.10.255.1").nodeId();
    private final FakeNetwork network = new FakeNetwork(self, clock);
    private final PeerStore.Outcomes ignored = new PeerStore.Outcomes() {
        @Override
        public void acked(Peer peer, FragmentId id, long bytes) {
        }

        @Override
        public void failed(Peer peer, FragmentId id, PeerException failure) {
        }
    };

    @AfterEach
    void close() {
        network.close();
    }

    @Test
    void aFragmentSentFromAChannelWaitsForRoomInMemoryAndGivesItBack() throws Exception {
        Peer peer = peers.at("10.10.0.1");
        network.add(peer);
        TestPlans.Made made = TestPlans.small(31);
        network.node(peer.nodeId()).accepted.accept(made.signed(), self, java.util.List.of(0), clock.instant());
        Semaphore largeInMemory = new Semaphore(1);
        PeerStore store = new PeerStore(peer, network, new Semaphore(8), ignored, clock, largeInMemory);
        byte[] bytes = made.fragments().get(0);

        largeInMemory.acquire(); // another large fragment is in memory
        Thread sender = new Thread(() -> store.store(made.plan().fragmentId(0),
                Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length));
        sender.start();
        while (!largeInMemory.hasQueuedThreads() && sender.isAlive()) {
            Thread.onSpinWait();
        }
        assertEquals(0, network.puts.get(), "not read nor sent while no room is free");
        largeInMemory.release();
        sender.join();
        assertEquals(1, network.puts.get());
        assertTrue(network.node(peer.nodeId()).holds(made.plan().tessera(), 0));
        assertEquals(1, largeInMemory.availablePermits(), "given back once sent");
    }
}
