package net.tesseras.transport.quic.internal;

import static net.tesseras.transport.quic.internal.TwoNodesTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that died (killed, or its transport stopped) and came back on the same UDP port is
 * reachable again after at most one failed request: the connection to the old process is noticed
 * as dead and the next request dials anew.
 */
@Timeout(60)
class DeadPeerTest {

    /** Short request timeouts keep a failing run quick; every other setting is the default. */
    private static final TransportSettings QUICK = TransportSettings.builder()
            .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    private static TransportSettings on(int port) {
        return QUICK.toBuilder().listen(new InetSocketAddress("127.0.0.1", port)).build();
    }

    /** Pings until one succeeds, at most {@code attempts} times; returns the answer and the failures before it. */
    private static PeerInfo pingWithin(TestNode from, InetSocketAddress to, int attempts, List<PeerException> failures) throws Exception {
        for (int i = 0; i < attempts; i++) {
            try {
                return await(from.client.ping(to));
            } catch (PeerException e) {
                failures.add(e);
            }
        }
        return null;
    }

    private void restartedPeerIsReachableAgain(boolean killed, boolean sameIdentity) throws Exception {
        try (TestNode a = new TestNode(dir.resolve("a"), QUICK)) {
            KeyPairIdentity identityOfC = KeyPairIdentity.generate();
            TestNode c = new TestNode(dir.resolve("c1"), QUICK, identityOfC);
            InetSocketAddress address = c.address();
            assertEquals(identityOfC.nodeId(), await(a.client.ping(address)).nodeId());
            if (killed) {
                c.kill();
            } else {
                c.close();
            }
            NodeIdentity next = sameIdentity ? identityOfC : KeyPairIdentity.generate();
            try (TestNode restarted = new TestNode(dir.resolve("c2"), on(address.getPort()), next, UnaryOperator.identity(),
                    TransportMetrics.NONE)) {
                List<PeerException> failures = new ArrayList<>();
                PeerInfo info = pingWithin(a, address, 3, failures);
                assertNotNull(info, "the restarted peer stayed unreachable: " + failures);
                assertEquals(next.nodeId(), info.nodeId());
                assertTrue(failures.size() <= 1, "at most the first request after the restart fails: " + failures);
                assertEquals(next.nodeId(), await(a.client.ping(address)).nodeId(), "and the requests after it succeed");
                assertEquals(1, a.transport.pool().entries().stream().filter(e -> e.outbound()).count(),
                        "the dead connection left the pool");
            }
        }
    }

    @Test
    void aKilledPeerRestartedOnTheSamePortWithANewIdentityIsReachableAgain() throws Exception {
        restartedPeerIsReachableAgain(true, false);
    }

    @Test
    void aKilledPeerRestartedOnTheSamePortWithItsIdentityIsReachableAgain() throws Exception {
        restartedPeerIsReachableAgain(true, true);
    }

    @Test
    void aPeerWhoseTransportStoppedAndStartedIsReachableAgain() throws Exception {
        restartedPeerIsReachableAgain(false, true);
    }

    /** Bytes a node received on its streams. */
    private static final class Received implements TransportMetrics {
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void received(int n) {
            bytes.addAndGet(n);
        }
    }

    @Test
    void keepAlivesHoldAQuietHealthyConnectionOpenButDoNotCountAsUseForTheReaper() throws Exception {
        Duration peerTimeout = Duration.ofMillis(600);
        TransportSettings quiet = QUICK.toBuilder().peerTimeout(peerTimeout).build();
        Received received = new Received();
        try (TestNode a = new TestNode(dir.resolve("a"), quiet, KeyPairIdentity.generate(), UnaryOperator.identity(), received);
                TestNode b = new TestNode(dir.resolve("b"), quiet)) {
            await(b.client.ping(a.address()));
            NodeConnection connection = await(b.transport.connection(a.address()));
            long before = received.bytes.get();
            // Ten keep-alive PINGs (12 bytes each) span well over three peer timeouts: without them QUIC would have closed the connection.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.bytes.get() - before < 10 * 12 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(received.bytes.get() - before >= 10 * 12, "keep-alives reached the peer");
            assertTrue(connection.isOpen(), "the quiet connection is still open");
            assertSame(connection, await(b.transport.connection(a.address())), "and still the pooled one");
            assertEquals(a.identity.nodeId(), await(b.client.ping(a.address())).nodeId());

            b.transport.update(b.transport.settings().toBuilder().pool(16, Duration.ofMillis(800), Duration.ofMillis(100)).build());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (b.transport.pool().size() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, b.transport.pool().size(), "keep-alives are no use: the reaper closed the quiet connection");
        }
    }

    @Test
    void aRequestTimingOutOnASlowButLivePeerKeepsTheConnection() throws Exception {
        // Keep-alives (every 200 ms) are answered while the slow read holds the request past its timeout.
        TransportSettings slowToAnswer = QUICK.toBuilder().peerTimeout(Duration.ofMillis(600))
                .timeouts(Duration.ofSeconds(1), Duration.ofSeconds(2)).build();
        java.util.concurrent.atomic.AtomicReference<BlockingReads> slow = new java.util.concurrent.atomic.AtomicReference<>();
        try (TestNode a = new TestNode(dir.resolve("a"), slowToAnswer, KeyPairIdentity.generate(), store -> {
            BlockingReads blocking = new BlockingReads(store);
            slow.set(blocking);
            return blocking;
        }, TransportMetrics.NONE); TestNode b = new TestNode(dir.resolve("b"), slowToAnswer)) {
            FragmentId id = a.holdRandom(41, 0, 100);
            await(b.client.ping(a.address()));
            NodeConnection connection = await(b.transport.connection(a.address()));
            PeerException timedOut = assertThrows(PeerException.class, () -> await(b.client.get(a.address(), id)));
            assertEquals(ErrorCode.TIMEOUT, timedOut.code());
            slow.get().release.countDown();
            assertTrue(connection.isOpen(), "the peer answered keep-alives meanwhile: its connection is alive");
            assertSame(connection, await(b.transport.connection(a.address())));
            assertEquals(id.checksum(), Blake3Hashing.hash(await(b.client.get(a.address(), id))));
        }
    }

    /**
     * Under load a live peer may answer a keep-alive after more than the third of the peer timeout
     * the keep-alive waits: that is no proof that it is gone (one of 50 busy connections was closed
     * so). Only the peer timeout of silence closes a quiet connection. Here the peer's answers are
     * lost on the way back, so nothing is heard at all: the connection must stay open for the whole
     * peer timeout, and then close.
     */
    @Test
    void aKeepAliveAnsweredLateDoesNotCloseTheConnectionBeforeThePeerTimeout() throws Exception {
        Duration peerTimeout = Duration.ofSeconds(3);
        TransportSettings quiet = QUICK.toBuilder().peerTimeout(peerTimeout).build();
        try (TestNode a = new TestNode(dir.resolve("a"), quiet); TestNode b = new TestNode(dir.resolve("b"), quiet);
                UdpRelay relay = new UdpRelay(a.address())) {
            await(b.client.ping(relay.address()));
            NodeConnection connection = await(b.transport.connection(relay.address()));
            relay.dropFromServer = true;
            long deadline = System.nanoTime() + 3 * peerTimeout.toNanos();
            while (connection.isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long silentFor = System.nanoTime() - connection.lastHeardNanos();
            assertTrue(silentFor >= peerTimeout.toNanos(), "closed after " + TimeUnit.NANOSECONDS.toMillis(silentFor)
                    + " ms without a word from the peer, before its peer timeout of " + peerTimeout.toMillis() + " ms");
            assertTrue(!connection.isOpen(), "a peer silent for longer than the peer timeout is still noticed as gone");
        }
    }

    /** Forwards UDP between one client and a server, and can lose everything the server sends back. */
    private static final class UdpRelay implements AutoCloseable {
        private final java.nio.channels.DatagramChannel front;
        private final java.nio.channels.DatagramChannel back;
        private volatile java.net.SocketAddress client;
        volatile boolean dropFromServer;

        UdpRelay(InetSocketAddress server) throws java.io.IOException {
            front = java.nio.channels.DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            back = java.nio.channels.DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            back.connect(server);
            daemon(() -> {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(65536);
                while (front.isOpen()) {
                    buffer.clear();
                    client = front.receive(buffer);
                    buffer.flip();
                    back.write(buffer);
                }
            });
            daemon(() -> {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(65536);
                while (back.isOpen()) {
                    buffer.clear();
                    try {
                        back.read(buffer);
                    } catch (java.net.PortUnreachableException e) {
                        continue; // the server is not there (yet): nothing to forward
                    }
                    buffer.flip();
                    java.net.SocketAddress to = client;
                    if (!dropFromServer && to != null) {
                        front.send(buffer, to);
                    }
                }
            });
        }

        InetSocketAddress address() throws java.io.IOException {
            return (InetSocketAddress) front.getLocalAddress();
        }

        private static void daemon(IoLoop loop) {
            Thread thread = new Thread(() -> {
                try {
                    loop.run();
                } catch (java.io.IOException e) {
                    // closed: the relay ends
                }
            }, "udp-relay");
            thread.setDaemon(true);
            thread.start();
        }

        interface IoLoop {
            void run() throws java.io.IOException;
        }

        @Override
        public void close() throws java.io.IOException {
            front.close();
            back.close();
        }
    }
}
