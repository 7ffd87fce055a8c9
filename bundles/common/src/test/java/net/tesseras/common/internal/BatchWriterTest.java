package net.tesseras.common.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchWriterTest {

    private final Random random = new Random(11);
    private final MemoryStore store = new MemoryStore();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() throws InterruptedException {
        Semaphore gate = store.gate;
        if (gate != null) {
            gate.release(1000);
        }
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
    }

    @Test
    void everyFragmentIsStoredAndReportedInTheOrderWrittenHoweverBatchesFinish() throws Exception {
        List<byte[]> payloads = new ArrayList<>();
        List<FragmentId> ids = new ArrayList<>();
        BatchWriter writer = new BatchWriter(store, pool, new BatchWriter.Limits(3, 20_000, 5, 6_000));
        for (int i = 0; i < 120; i++) {
            byte[] bytes = bytes(random.nextInt(3000));
            FragmentId id = id(tessera(i % 7), i, bytes);
            payloads.add(bytes);
            ids.add(id);
            if (i % 2 == 0) {
                writer.write(id, channel(bytes), bytes.length);
            } else {
                writer.write(id, ByteBuffer.wrap(bytes));
            }
        }
        List<FragmentInfo> infos = writer.finish();
        assertEquals(ids, infos.stream().map(FragmentInfo::id).toList());
        for (int i = 0; i < ids.size(); i++) {
            assertArrayEquals(payloads.get(i), array(store.read(ids.get(i).tessera(), i).orElseThrow()));
            assertEquals(payloads.get(i).length, infos.get(i).size());
        }
        assertTrue(store.batches.size() > 1, "more than one batch: " + store.batches.size());
        assertTrue(store.mostRunning.get() <= 3, "at most 3 batches at once, saw " + store.mostRunning.get());
        assertEquals(0, writer.bytesInFlight());
        assertTrue(store.streamed.isEmpty(), "small fragments go in batches");
    }

    @Test
    void batchesKeepToTheirFragmentAndByteLimits() throws Exception {
        BatchWriter writer = new BatchWriter(store, pool, new BatchWriter.Limits(2, 10_000, 4, 1_000));
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] bytes = bytes(random.nextInt(600));
            sizes.add(bytes.length);
            writer.write(id(tessera(1), i, bytes), ByteBuffer.wrap(bytes));
        }
        writer.finish();
        int seen = 0;
        for (List<FragmentId> batch : store.batches) {
            assertTrue(batch.size() <= 4, "at most 4 fragments in a batch: " + batch.size());
            long bytes = batch.stream().mapToLong(id -> sizes.get(id.index())).sum();
            assertTrue(bytes <= 1_000, "at most 1000 bytes in a batch: " + bytes);
            seen += batch.size();
        }
        assertEquals(40, seen, "each fragment in exactly one batch");
    }

    @Test
    void writeBlocksWhileTheBytesInFlightAreAtTheLimit() throws Exception {
        store.gate = new Semaphore(0);
        BatchWriter.Limits limits = new BatchWriter.Limits(2, 1_000, 2, 200);
        BatchWriter writer = new BatchWriter(store, pool, limits);
        AtomicLong handed = new AtomicLong();
        AtomicLong mostHeld = new AtomicLong();
        AtomicInteger written = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; i < 60; i++) {
                    byte[] bytes = bytes(100);
                    writer.write(id(tessera(2), i, bytes), channel(bytes), bytes.length);
                    handed.addAndGet(bytes.length);
                    // Held in memory: handed to the writer and not yet returned by the store.
                    mostHeld.accumulateAndGet(handed.get() - store.storedBytes.get(), Math::max);
                    written.incrementAndGet();
                }
                writer.finish();
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        producer.start();
        awaitState(producer, Thread.State.WAITING);
        int before = written.get();
        assertTrue(before < 60, "the producer waits for room before writing everything");
        assertTrue(writer.bytesInFlight() <= 1_000, "bytes in flight " + writer.bytesInFlight());
        await(() -> store.running.get() == 2); // two batches at the gate
        assertEquals(2, store.mostRunning.get(), "and no more");
        store.gate.release(1000);
        producer.join(TimeUnit.MINUTES.toMillis(1));
        assertFalse(producer.isAlive());
        assertEquals(null, failed.get());
        assertEquals(60, written.get());
        assertTrue(mostHeld.get() <= 1_000, "never more than the limit held, saw " + mostHeld.get());
        assertEquals(60, store.held.size());
        assertEquals(0, writer.bytesInFlight());
    }

    @Test
    void aFailingBatchSurfacesItsFailureNamingTheFragmentAndRefusesLaterWrites() throws Exception {
        store.failAt = 3;
        BatchWriter writer = new BatchWriter(store, Runnable::run, new BatchWriter.Limits(1, 10_000, 2, 5_000));
        for (int i = 0; i < 4; i++) {
            byte[] bytes = bytes(50);
            writer.write(id(tessera(3), i, bytes), ByteBuffer.wrap(bytes));
        }
        byte[] later = bytes(50);
        FragmentStoreException refused = assertThrows(FragmentStoreException.class,
                () -> writer.write(id(tessera(3), 4, later), ByteBuffer.wrap(later)));
        assertTrue(refused.getMessage().contains("fragment 4 of tessera " + tessera(3)), refused.getMessage());
        assertTrue(refused.getMessage().contains("fragment 3 of tessera " + tessera(3)), refused.getMessage());
        FragmentStoreException e = assertThrows(FragmentStoreException.class, writer::finish);
        assertTrue(e.getMessage().contains("fragment 3 of tessera " + tessera(3)), e.getMessage());
        assertSame(refused.getCause(), e, "finish throws the first failure itself");
        assertEquals(2, store.batches.size(), "nothing handed to the store after the failure");
        assertThrows(IllegalStateException.class, () -> writer.write(id(tessera(3), 5, later), ByteBuffer.wrap(later)));
        assertEquals(0, writer.bytesInFlight());
    }

    @Test
    void aChecksumMismatchReachesTheCallerAsItself() throws Exception {
        BatchWriter writer = new BatchWriter(store, pool, BatchWriter.Limits.DEFAULT);
        byte[] good = bytes(100);
        byte[] bad = bytes(100);
        writer.write(id(tessera(4), 0, good), ByteBuffer.wrap(good));
        FragmentId wrong = new FragmentId(tessera(4), 1, false, Blake3Hashing.hash(good));
        writer.write(wrong, ByteBuffer.wrap(bad));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, writer::finish);
        assertEquals(wrong, e.id());
    }

    @Test
    void aChannelThatEndsEarlyOrRunsLongFailsTheWriterNamingTheFragment() throws Exception {
        byte[] bytes = bytes(100);
        BatchWriter shortWriter = new BatchWriter(store, pool);
        FragmentStoreException e = assertThrows(FragmentStoreException.class,
                () -> shortWriter.write(id(tessera(5), 7, bytes), channel(bytes), 101));
        assertTrue(e.getMessage().contains("fragment 7 of tessera " + tessera(5)) && e.getMessage().contains("ended"),
                e.getMessage());
        assertThrows(FragmentStoreException.class, shortWriter::finish);
        assertEquals(0, shortWriter.bytesInFlight());

        BatchWriter longWriter = new BatchWriter(store, pool);
        e = assertThrows(FragmentStoreException.class, () -> longWriter.write(id(tessera(5), 8, bytes), channel(bytes), 99));
        assertTrue(e.getMessage().contains("fragment 8 of tessera " + tessera(5)) && e.getMessage().contains("longer"),
                e.getMessage());
        assertTrue(store.held.isEmpty());
    }

    @Test
    void anInterruptedProducerAbortsAndNoBatchRunsAfterwards() throws Exception {
        store.gate = new Semaphore(0);
        BatchWriter writer = new BatchWriter(store, pool, new BatchWriter.Limits(2, 400, 2, 200));
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        AtomicInteger runningAfter = new AtomicInteger(-1);
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    byte[] bytes = bytes(100);
                    writer.write(id(tessera(6), i, bytes), ByteBuffer.wrap(bytes));
                }
            } catch (Throwable e) {
                runningAfter.set(store.running.get());
                outcome.set(e);
            }
        });
        producer.start();
        awaitState(producer, Thread.State.WAITING);
        await(() -> store.running.get() == 2);
        producer.interrupt();
        // The writer waits for the batches already at the store: let them through.
        awaitState(producer, Thread.State.WAITING);
        store.gate.release(1000);
        producer.join(TimeUnit.MINUTES.toMillis(1));
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        assertEquals(0, runningAfter.get(), "no batch is being stored once write() gave up");
        int batches = store.batches.size();
        pool.shutdown();
        assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        assertEquals(batches, store.batches.size(), "and none starts later");
        assertThrows(IllegalStateException.class, writer::finish);
        assertEquals(0, writer.bytesInFlight());
    }

    @Test
    void abortFromAnotherThreadDropsWhatIsPendingAndWaitsForRunningBatches() throws Exception {
        store.gate = new Semaphore(0);
        BatchWriter writer = new BatchWriter(store, pool, new BatchWriter.Limits(1, 10_000, 2, 5_000));
        for (int i = 0; i < 3; i++) { // one batch of two at the gate, one fragment pending
            byte[] bytes = bytes(10);
            writer.write(id(tessera(7), i, bytes), ByteBuffer.wrap(bytes));
        }
        await(() -> store.running.get() == 1); // the first batch reached the store
        Thread aborter = new Thread(writer::abort);
        aborter.start();
        awaitState(aborter, Thread.State.WAITING);
        assertTrue(aborter.isAlive(), "abort waits for the batch being stored");
        store.gate.release(1000);
        aborter.join(TimeUnit.MINUTES.toMillis(1));
        assertEquals(0, store.running.get());
        assertEquals(1, store.batches.size(), "the pending fragment was dropped");
        assertEquals(2, store.held.size(), "the batch already at the store completed");
        byte[] bytes = bytes(10);
        assertThrows(IllegalStateException.class, () -> writer.write(id(tessera(7), 9, bytes), ByteBuffer.wrap(bytes)));
        writer.close(); // closing an aborted writer is harmless
    }

    @Test
    void aFragmentLargerThanABatchIsStreamedAloneAndItsChannelConsumed() throws Exception {
        BatchWriter writer = new BatchWriter(store, pool, new BatchWriter.Limits(2, 10_000, 8, 1_000));
        byte[] small = bytes(500);
        byte[] large = bytes(50_000);
        writer.write(id(tessera(8), 0, small), channel(small), small.length);
        CountingChannel source = new CountingChannel(large);
        writer.write(id(tessera(8), 1, large), source, large.length);
        assertEquals(large.length, source.delivered, "the caller's channel is read to its end before write() returns");
        List<FragmentInfo> infos = writer.finish();
        assertEquals(List.of(0, 1), infos.stream().map(i -> i.id().index()).toList());
        assertEquals(List.of(id(tessera(8), 1, large)), store.streamed);
        assertArrayEquals(large, array(store.read(tessera(8), 1).orElseThrow()));
        assertEquals(1, store.batches.stream().filter(b -> b.contains(id(tessera(8), 0, small))).count());
    }

    @Test
    void closingAfterFinishKeepsWhatWasStoredAndLimitsAreChecked() throws Exception {
        try (BatchWriter writer = new BatchWriter(store, pool)) {
            byte[] bytes = bytes(10);
            writer.write(id(tessera(9), 0, bytes), ByteBuffer.wrap(bytes));
            assertEquals(1, writer.finish().size());
        }
        assertEquals(1, store.held.size());
        assertThrows(IllegalArgumentException.class, () -> new BatchWriter.Limits(0, 10, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> new BatchWriter.Limits(1, 10, 1, 11));
        assertThrows(IllegalArgumentException.class, () -> new BatchWriter.Limits(1, 10, 0, 10));
    }

    @Test
    void anExecutorThatRefusesWorkFailsTheWriter() throws Exception {
        pool.shutdown();
        BatchWriter writer = new BatchWriter(store, pool, new BatchWriter.Limits(1, 1_000, 1, 100));
        byte[] bytes = bytes(10);
        writer.write(id(tessera(10), 0, bytes), ByteBuffer.wrap(bytes));
        FragmentStoreException e = assertThrows(FragmentStoreException.class, writer::finish);
        assertTrue(e.getMessage().contains("fragment 0 of tessera " + tessera(10)), e.getMessage());
        assertEquals(0, writer.bytesInFlight());
    }

    @Test
    void aStoreThatAnswersABatchWithTooFewResultsFailsTheWriterInsteadOfHangingIt() throws Exception {
        MemoryStore broken = new MemoryStore() {
            @Override
            public List<FragmentInfo> storeAll(List<net.tesseras.storage.FragmentBytes> fragments) {
                return super.storeAll(fragments).subList(0, 1);
            }
        };
        BatchWriter writer = new BatchWriter(broken, pool, new BatchWriter.Limits(1, 1_000, 2, 500));
        for (int i = 0; i < 2; i++) {
            byte[] bytes = bytes(10);
            writer.write(id(tessera(11), i, bytes), ByteBuffer.wrap(bytes));
        }
        FragmentStoreException e = assertThrows(FragmentStoreException.class, writer::finish);
        assertTrue(e.getMessage().contains("fragment 0 of tessera " + tessera(11)), e.getMessage());
        assertTrue(e.getMessage().contains("contract"), e.getMessage());
        assertEquals(0, writer.bytesInFlight());
    }

    /** Waits until a condition holds; a state the test waits for, not a time it measures. */
    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the condition never held");
            Thread.sleep(5);
        }
    }

    /** Waits until the thread blocks; a state the test waits for, not a time it measures. */
    private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (thread.getState() != state) {
            assertTrue(System.nanoTime() < deadline, thread + " never reached " + state + ", is " + thread.getState());
            Thread.sleep(5);
        }
    }

    private static ReadableByteChannel channel(byte[] bytes) {
        return Channels.newChannel(new java.io.ByteArrayInputStream(bytes));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    private static FragmentId id(ContentHash tessera, int index, byte[] bytes) {
        return new FragmentId(tessera, index, false, Blake3Hashing.hash(bytes));
    }

    private static ContentHash tessera(int seed) {
        return Blake3Hashing.hash(new byte[] {(byte) seed, 'w'});
    }

    /** A channel that counts the bytes it delivered. */
    private static final class CountingChannel implements ReadableByteChannel {
        private final ByteBuffer source;
        long delivered;

        CountingChannel(byte[] bytes) {
            this.source = ByteBuffer.wrap(bytes);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!source.hasRemaining()) {
                return -1;
            }
            int n = Math.min(dst.remaining(), source.remaining());
            dst.put(source.slice().limit(n));
            source.position(source.position() + n);
            delivered += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }
}
