package net.tesseras.transport.quic.internal;

import static net.tesseras.transport.quic.internal.TwoNodesTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fragment the requester refuses (larger than its max.fragment.mb) is not transferred anyway:
 * the refusal stops the sender, and the connection goes on serving.
 */
@Timeout(60)
class RefusedTransferTest {

    private static final int LARGE = 40 * 1024 * 1024;

    @TempDir
    Path dir;

    /** Bytes the serving node wrote into its streams. */
    private static final class Sent implements TransportMetrics {
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void sent(int n) {
            bytes.addAndGet(n);
        }
    }

    private static void awaitNothingServed(TestNode node) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.transport.pool().entries().stream().anyMatch(e -> e.connection().inFlight() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(node.transport.pool().entries().stream().allMatch(e -> e.connection().inFlight() == 0),
                "the serving node finished with the refused request");
    }

    @Test
    void aGetRefusedAsTooLargeStopsTheTransferAndTheConnectionGoesOn() throws Exception {
        Sent sent = new Sent();
        TransportSettings small = TransportSettings.builder().limits(64 * 1024, 1024 * 1024, 256, 4, 1024)
                .timeouts(Duration.ofSeconds(10), Duration.ofSeconds(5)).build();
        try (TestNode a = new TestNode(dir.resolve("a"), TransportSettings.defaults(), KeyPairIdentity.generate(), UnaryOperator.identity(),
                sent); TestNode b = new TestNode(dir.resolve("b"), small)) {
            FragmentId large = a.holdRandom(31, 0, LARGE);
            FragmentId fits = a.holdRandom(32, 0, 1000);
            assertEquals(a.identity.nodeId(), await(b.client.ping(a.address())).nodeId());
            NodeConnection connection = await(b.transport.connection(a.address()));
            long before = sent.bytes.get();

            PeerException refused = assertThrows(PeerException.class, () -> await(b.client.get(a.address(), large)));
            assertEquals(ErrorCode.TOO_LARGE, refused.code(), refused.toString());
            awaitNothingServed(a);
            long moved = sent.bytes.get() - before;
            assertTrue(moved < LARGE / 2, moved + " of " + LARGE + " bytes were sent after the refusal");

            assertEquals(fits.checksum(), Blake3Hashing.hash(await(b.client.get(a.address(), fits))),
                    "the next request on the connection is served");
            assertSame(connection, await(b.transport.connection(a.address())), "on the same connection");
        }
    }

    @Test
    void aFetchRefusedAsTooLargeMovesNoBytesAndTheConnectionGoesOn(@TempDir Path out) throws Exception {
        Sent sent = new Sent();
        TransportSettings small = TransportSettings.builder().limits(64 * 1024, 1024 * 1024, 256, 4, 1024)
                .timeouts(Duration.ofSeconds(10), Duration.ofSeconds(5)).build();
        try (TestNode a = new TestNode(dir.resolve("a"), TransportSettings.defaults(), KeyPairIdentity.generate(), UnaryOperator.identity(),
                sent); TestNode b = new TestNode(dir.resolve("b"), small)) {
            FragmentId large = a.holdRandom(33, 0, LARGE);
            FragmentId fits = a.holdRandom(33, 1, 1000);
            assertEquals(a.identity.nodeId(), await(b.client.ping(a.address())).nodeId());
            NodeConnection connection = await(b.transport.connection(a.address()));
            long before = sent.bytes.get();

            Path target = out.resolve("large.shard");
            PeerException refused = assertThrows(PeerException.class, () -> await(b.client.fetch(a.address(), large.tessera(), 0, target)));
            assertEquals(ErrorCode.TOO_LARGE, refused.code(), refused.toString());
            assertTrue(refused.getMessage().contains("max.fragment.mb"), refused.getMessage());
            assertFalse(Files.exists(target));
            awaitNothingServed(a);
            long moved = sent.bytes.get() - before;
            assertTrue(moved < LARGE / 2, moved + " of " + LARGE + " bytes were sent after the refusal");

            Path small1 = out.resolve("small.shard");
            assertEquals(fits, await(b.client.fetch(a.address(), fits.tessera(), 1, small1)).id(), "the next fetch is served");
            assertEquals(fits.checksum(), Blake3Hashing.hash(small1));
            assertSame(connection, await(b.transport.connection(a.address())), "on the same connection");
        }
    }

    @Test
    void aPutRefusedByTheWritePolicyStopsTheUploadAndTheConnectionGoesOn() throws Exception {
        Sent sent = new Sent();
        try (TestNode a = new TestNode(dir.resolve("a"), TransportSettings.defaults());
                TestNode b = new TestNode(dir.resolve("b"), TransportSettings.defaults(), KeyPairIdentity.generate(), UnaryOperator.identity(),
                        sent)) {
            assertEquals(a.identity.nodeId(), await(b.client.ping(a.address())).nodeId());
            NodeConnection connection = await(b.transport.connection(a.address()));
            byte[] data = TestNode.random(34, LARGE);
            FragmentId id = new FragmentId(Blake3Hashing.hash(new byte[] {34}), 0, false, Blake3Hashing.hash(data));
            long before = sent.bytes.get();

            PeerException refused = assertThrows(PeerException.class, () -> await(b.client.put(a.address(), id, ByteBuffer.wrap(data))));
            assertEquals(ErrorCode.FORBIDDEN, refused.code(), refused.toString());
            assertTrue(a.store.read(id.tessera(), 0).isEmpty());

            // The next request shares the stream: it leaves after whatever of the upload was still to go.
            assertEquals(a.identity.nodeId(), await(b.client.ping(a.address())).nodeId(), "the next request on the connection is served");
            long moved = sent.bytes.get() - before;
            assertTrue(moved < LARGE / 2, moved + " of " + LARGE + " bytes were uploaded after the refusal");
            assertSame(connection, await(b.transport.connection(a.address())), "on the same connection");
            awaitNothingServed(a);
        }
    }
}
