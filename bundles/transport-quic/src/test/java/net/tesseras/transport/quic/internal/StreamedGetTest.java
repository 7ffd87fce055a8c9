package net.tesseras.transport.quic.internal;

import static net.tesseras.transport.quic.internal.TwoNodesTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.StreamedFragment.Download;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * GETs served through {@link FragmentStore#open}: a fragment larger than any buffer travels in
 * frames with bounded memory on the serving side, which never reads far ahead of a slow requester;
 * fragments the store holds in memory are answered on the event loop without a worker.
 */
@Timeout(300)
class StreamedGetTest {

    private static final int FRAME = 64 * 1024;

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

    private static ContentHash tessera(int seed) {
        return Blake3Hashing.hash(new byte[] {(byte) seed, 17});
    }

    private TestNode serving(String name, FragmentStore store, TransportSettings settings, TransportMetrics metrics) throws Exception {
        return new TestNode(dir.resolve(name), settings, KeyPairIdentity.generate(), ignored -> store, metrics);
    }

    /** Checks {@code n} bytes of {@code buffer} (from 0) against the generator at {@code position}. */
    private static void assertGenerated(ByteBuffer buffer, long position, int n) {
        for (int i = 0; i < n; i++) {
            if (buffer.get(i) != GeneratedStore.byteAt(position + i)) {
                throw new AssertionError("byte " + (position + i) + " differs from the generated fragment");
            }
        }
    }

    @Test
    void aFragmentLargerThanAnyBufferIsFetchedInFramesWithItsChecksum() throws Exception {
        long size = (3L << 30) + 12_345; // 3 GiB and a partial last frame: no ByteBuffer or byte[] holds it
        GeneratedStore store = GeneratedStore.of(tessera(1), 5, size);
        // Loopback carries large datagrams: the test moves 3 GiB in seconds rather than a minute.
        TransportSettings bulk = TransportSettings.builder().maxUdpPayload(TransportSettings.MAX_UDP_PAYLOAD).build();
        Path target = dir.resolve("fetched/large.shard");
        try (TestNode a = serving("a", store, bulk, TransportMetrics.NONE); TestNode b = new TestNode(dir.resolve("b"), bulk)) {
            FragmentInfo fetched = b.client.fetch(a.address(), store.id.tessera(), 5, target).toCompletableFuture().get(240, TimeUnit.SECONDS);
            // fetch() hashed what it wrote and compared it with the checksum the LIST gave.
            assertEquals(store.id, fetched.id());
            assertEquals(size, Files.size(target));
            ByteBuffer sample = ByteBuffer.allocate(4096);
            try (FileChannel file = FileChannel.open(target)) {
                for (long position : new long[] {0, FRAME - 9, FRAME - 1, (1L << 31) - 3, (1L << 32) - 100, size - 4096}) {
                    sample.clear();
                    while (sample.hasRemaining() && file.read(sample, position + sample.position()) >= 0) {
                        // positional reads until the sample is full
                    }
                    assertGenerated(sample, position, sample.position());
                }
            }
            assertEquals(1, store.opened.get(), "served through open()");
            assertEquals(0, store.open.get(), "the store's channel is closed once the fragment is sent");
        } finally {
            Files.deleteIfExists(target);
        }
    }

    @Test
    void theServingSideReadsOnlyABoundedWindowAheadOfASlowRequester() throws Exception {
        long size = 64L * 1024 * 1024;
        GeneratedStore store = GeneratedStore.of(tessera(2), 0, size);
        Sent sent = new Sent();
        AtomicLong consumed = new AtomicLong();
        AtomicLong maxHeld = new AtomicLong();
        AtomicLong maxAhead = new AtomicLong();
        long windowFilled = 12L * 1024 * 1024;
        CountDownLatch serverWentAhead = new CountDownLatch(1);
        store.onRead = position -> {
            // Read from the store but not yet written into the stream: what the serving side holds.
            maxHeld.accumulateAndGet(position - sent.bytes.get(), Math::max);
            long ahead = position - consumed.get();
            maxAhead.accumulateAndGet(ahead, Math::max);
            if (ahead >= windowFilled) {
                serverWentAhead.countDown();
            }
        };
        try (TestNode a = serving("a", store, TransportSettings.defaults(), sent); TestNode b = new TestNode(dir.resolve("b"),
                TransportSettings.defaults())) {
            NodeConnection connection = await(b.transport.connection(a.address()));
            TransportSettings settings = b.transport.settings();
            StreamedFragment sink = new StreamedFragment(size, 4L * FRAME, settings.requestTimeout().toNanos());
            connection.request(FrameType.GET_FRAGMENT, Payloads.get(ByteBufAllocator.DEFAULT, store.id.tessera(), 0), sink, settings, true);
            Download download = sink.future().get(30, TimeUnit.SECONDS);
            assertEquals(size, download.size());
            ByteBuffer buffer = ByteBuffer.allocate(FRAME);
            boolean paused = false;
            try (ChunkPipe data = download.data()) {
                int n;
                while ((n = data.read(buffer.clear())) >= 0) {
                    assertGenerated(buffer, consumed.get(), n);
                    consumed.addAndGet(n);
                    if (!paused && consumed.get() >= 1024 * 1024) {
                        // The requester stops reading: only QUIC flow control (16 MiB per stream) holds the server back.
                        paused = true;
                        assertTrue(serverWentAhead.await(60, TimeUnit.SECONDS),
                                "the server never read " + windowFilled + " bytes ahead while the requester paused (at most " + maxAhead
                                        + "); is QUIC's stream window smaller than that?");
                    }
                }
            }
            assertEquals(size, consumed.get(), "the whole fragment arrived");
            long heldBound = (StreamedAnswer.WINDOW + 1L) * FRAME;
            assertTrue(maxHeld.get() <= heldBound, "the serving side held " + maxHeld + " bytes read from the store and not written"
                    + " into the stream, more than " + StreamedAnswer.WINDOW + " + 1 frames (" + heldBound + ")");
            long aheadBound = 16L * 1024 * 1024 + 2L * 1024 * 1024;
            assertTrue(maxAhead.get() <= aheadBound, "the serving side read " + maxAhead + " bytes ahead of what the requester took,"
                    + " beyond QUIC's 16 MiB stream window and a few frames (" + aheadBound + "): it does not wait for writability");
            assertEquals(0, store.open.get(), "the store's channel is closed");
        }
    }

    /** Answers from memory only: a read that blocks (read or open) fails the request. */
    private static final class InMemoryStore extends GeneratedStore {
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        private final byte[] bytes;

        InMemoryStore(ContentHash tessera, int size) throws IOException {
            super(tessera, 0, size, GeneratedStore.checksum(size));
            bytes = new byte[size];
            for (int i = 0; i < size; i++) {
                bytes[i] = byteAt(i);
            }
        }

        @Override
        public Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
            threads.add(Thread.currentThread().getName());
            return id.tessera().equals(tessera) && index == 0 ? Optional.of(ByteBuffer.wrap(bytes).asReadOnlyBuffer()) : Optional.empty();
        }

        @Override
        public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
            throw new IllegalStateException("open() called: the request went to a worker although the fragment is in memory");
        }
    }

    @Test
    void aFragmentHeldInMemoryIsAnsweredOnTheEventLoopWithoutAWorker() throws Exception {
        InMemoryStore store = new InMemoryStore(tessera(3), 200_000);
        try (TestNode a = serving("a", store, TransportSettings.defaults(), TransportMetrics.NONE);
                TestNode b = new TestNode(dir.resolve("b"), TransportSettings.defaults())) {
            for (int i = 0; i < 3; i++) {
                ByteBuffer got = await(b.client.get(a.address(), store.id));
                assertEquals(store.id.checksum(), Blake3Hashing.hash(got));
            }
            assertFalse(store.threads.isEmpty());
            assertTrue(store.threads.stream().allMatch(name -> name.startsWith("tesseras-quic")),
                    "readIfInMemory ran on the network threads only: " + store.threads);
        }
    }

    @Test
    void aFragmentNotInMemoryIsStreamedThroughOpenOnAWorker() throws Exception {
        GeneratedStore store = GeneratedStore.of(tessera(4), 0, 300_000);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        store.onRead = position -> threads.add(Thread.currentThread().getName());
        try (TestNode a = serving("a", store, TransportSettings.defaults(), TransportMetrics.NONE);
                TestNode b = new TestNode(dir.resolve("b"), TransportSettings.defaults())) {
            assertEquals(store.id.checksum(), Blake3Hashing.hash(await(b.client.get(a.address(), store.id))));
            Path target = dir.resolve("fetched.shard");
            assertEquals(store.id, await(b.client.fetch(a.address(), store.id.tessera(), 0, target)).id());
            assertEquals(store.id.checksum(), Blake3Hashing.hash(target));
            assertEquals(2, store.opened.get());
            assertTrue(threads.stream().allMatch(name -> name.startsWith("tesseras-requests")),
                    "the store's channel was read on the request workers only, never a network thread: " + threads);
            assertEquals(0, store.open.get(), "every channel closed");
        }
    }

    @Test
    void aFragmentThatFailsItsCheckAtTheEndIsNotTakenForAWholeOneAndTheConnectionGoesOn() throws Exception {
        GeneratedStore store = GeneratedStore.of(tessera(5), 0, 1024 * 1024 + 7);
        store.damaged = true;
        try (TestNode a = serving("a", store, TransportSettings.defaults(), TransportMetrics.NONE);
                TestNode b = new TestNode(dir.resolve("b"), TransportSettings.defaults())) {
            PeerException failed = assertThrows(PeerException.class, () -> await(b.client.get(a.address(), store.id)));
            assertTrue(failed.getMessage().contains("damaged"), failed.getMessage());

            Path target = dir.resolve("damaged.shard");
            PeerException fetchFailed = assertThrows(PeerException.class,
                    () -> await(b.client.fetch(a.address(), store.id.tessera(), 0, target)));
            assertTrue(fetchFailed.getMessage().contains("damaged"), fetchFailed.getMessage());
            assertEquals(ErrorCode.INTERNAL, fetchFailed.code(), fetchFailed.toString());
            assertFalse(Files.exists(target), "no file for a fragment that failed");
            try (var left = Files.list(dir)) {
                assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".part")).toList(), "no partial file");
            }

            store.damaged = false;
            assertEquals(store.id.checksum(), Blake3Hashing.hash(await(b.client.get(a.address(), store.id))),
                    "the connection goes on serving");
            assertEquals(0, store.open.get(), "every channel closed");
        }
    }


    @Test
    void aTransferLongerThanTheRequestTimeoutCompletesWhileItsFramesKeepComing() throws Exception {
        GeneratedStore store = GeneratedStore.of(tessera(6), 0, 4L * 1024 * 1024);
        // About 3 s in all (64 reads of 50 ms), three times the request timeout, but a frame every 50 ms.
        store.onRead = position -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        TransportSettings quick = TransportSettings.builder().timeouts(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(5))
                .build();
        try (TestNode a = serving("a", store, quick, TransportMetrics.NONE); TestNode b = new TestNode(dir.resolve("b"), quick)) {
            Path target = dir.resolve("slow.shard");
            assertEquals(store.id, await(b.client.fetch(a.address(), store.id.tessera(), 0, target)).id());
            assertEquals(store.id.checksum(), Blake3Hashing.hash(target));
        }
    }
}
