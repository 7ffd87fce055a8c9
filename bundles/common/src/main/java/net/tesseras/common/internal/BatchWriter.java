package net.tesseras.common.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;

/**
 * Writes many fragments (the shards of one tessera, a transfer from a peer) to a {@link
 * FragmentStore} with bounded memory and concurrency. Small fragments are read into memory and
 * grouped into {@link FragmentStore#storeAll} batches, so a backend that groups its index commits
 * and overlaps its fsyncs (the fs store) does so; a fragment larger than a batch may hold is
 * streamed alone through {@link FragmentStore#store(FragmentId, ReadableByteChannel, long)} on the
 * caller's thread.
 *
 * <p><b>Back-pressure.</b> {@link #write} blocks while the bytes read but not yet stored would
 * exceed {@link Limits#maxBytesInFlight}, or while {@link Limits#maxConcurrentBatches} batches are
 * being stored and another one is full. Memory held is therefore at most {@code maxBytesInFlight}.
 *
 * <p><b>Failure.</b> The first fragment that cannot be stored fails the writer: later writes are
 * refused, and {@link #finish} throws that failure, naming the fragment. What the backend does
 * with the rest of a failed batch is its own rule ({@link FragmentStore#storeAll}); fragments of
 * other batches that were stored stay stored.
 *
 * <p><b>Cancellation.</b> {@link #abort} (or {@link #close} before {@link #finish}) drops what is
 * not yet handed to the store and waits for the batches being stored. A thread interrupted while
 * {@link #write} or {@link #finish} waits aborts the writer the same way and gets {@link
 * InterruptedException}. No task of the writer runs after any of them returns.
 *
 * <p>One producer thread calls {@code write} and {@code finish}; {@code abort} may come from any
 * thread.
 */
public final class BatchWriter implements AutoCloseable {

    /**
     * How much a writer may hold and do at once.
     *
     * @param maxConcurrentBatches batches handed to the store at the same time, at least 1
     * @param maxBytesInFlight bytes read into memory and not yet stored, at least {@code maxBatchBytes}
     * @param maxBatchFragments fragments in one batch, at least 1
     * @param maxBatchBytes bytes in one batch; a larger fragment is streamed alone, at least 1
     */
    public record Limits(int maxConcurrentBatches, long maxBytesInFlight, int maxBatchFragments, long maxBatchBytes) {

        /**
         * Two batches of at most 64 fragments and 8 MiB at once, 32 MiB held: the 24 to 48 shards
         * of a tessera tier go in one batch, two batches keep the device busy while the next
         * fills, and a transfer of many tesseras stays within a few tens of MiB.
         */
        public static final Limits DEFAULT = new Limits(2, 32L << 20, 64, 8L << 20);

        public Limits {
            if (maxConcurrentBatches < 1 || maxBatchFragments < 1 || maxBatchBytes < 1) {
                throw new IllegalArgumentException("batch limits must be at least 1: " + maxConcurrentBatches
                        + " batches at once, " + maxBatchFragments + " fragments and " + maxBatchBytes
                        + " bytes per batch");
            }
            if (maxBytesInFlight < maxBatchBytes) {
                throw new IllegalArgumentException("the bytes in flight (" + maxBytesInFlight + ") must hold at"
                        + " least one full batch (" + maxBatchBytes + " bytes)");
            }
        }
    }

    private final FragmentStore store;
    private final Executor executor;
    private final Limits limits;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final List<FragmentBytes> pending = new ArrayList<>();
    private final List<Integer> pendingPositions = new ArrayList<>();
    private long pendingBytes;
    private long bytesInFlight;
    private int batchesRunning;
    private final List<FragmentInfo> results = new ArrayList<>();
    private RuntimeException failure;
    private boolean aborted;
    private boolean finished;

    public BatchWriter(FragmentStore store, Executor executor, Limits limits) {
        if (store == null || executor == null || limits == null) {
            throw new IllegalArgumentException("a batch writer needs a store, an executor and limits");
        }
        this.store = store;
        this.executor = executor;
        this.limits = limits;
    }

    public BatchWriter(FragmentStore store, Executor executor) {
        this(store, executor, Limits.DEFAULT);
    }

    /**
     * Writes a fragment read from a channel. The channel is read to its end (exactly {@code size}
     * bytes) before this returns; the caller closes it. The fragment is stored by the time {@link
     * #finish} returns; one larger than {@link Limits#maxBatchBytes} is streamed to the store on
     * this thread and stored before this returns.
     *
     * @throws FragmentStoreException if the channel fails, ends early or is longer than {@code size},
     *     if the writer failed earlier (the cause is that failure), or if a fragment streamed alone
     *     cannot be stored; each of them fails the writer
     * @throws InterruptedException if interrupted while waiting for room; the writer is aborted
     * @throws IllegalStateException after {@link #finish} or {@link #abort}
     */
    public void write(FragmentId id, ReadableByteChannel source, long size) throws InterruptedException {
        FragmentStore.checkSize(id, size);
        if (size > limits.maxBatchBytes()) {
            int position = admit(id, 0);
            storeAlone(position, () -> store.store(id, source, size));
            return;
        }
        int position = admit(id, size);
        ByteBuffer data;
        try {
            data = readFully(id, source, (int) size);
        } catch (RuntimeException e) {
            release(size);
            throw fail(e);
        }
        enqueue(new FragmentBytes(id, data), position);
    }

    /**
     * Writes a fragment already in memory, without copying it: the buffer must not change until
     * {@link #finish} returns. Its bytes from position to limit count against the bytes in flight.
     *
     * @throws FragmentStoreException and the others as {@link #write(FragmentId, ReadableByteChannel, long)}
     */
    public void write(FragmentId id, ByteBuffer data) throws InterruptedException {
        long size = data.remaining();
        FragmentStore.checkSize(id, size);
        ByteBuffer bytes = data.duplicate();
        if (size > limits.maxBatchBytes()) {
            int position = admit(id, 0);
            storeAlone(position, () -> store.store(id, bytes));
            return;
        }
        int position = admit(id, size);
        enqueue(new FragmentBytes(id, bytes), position);
    }

    /**
     * Hands the last batch to the store and waits for every batch.
     *
     * @return what the store recorded for each fragment, in the order they were written
     * @throws FragmentStoreException (or a subclass) the first failure, naming its fragment; the
     *     writer is then done; batches already being stored finished, no batch started after it
     * @throws InterruptedException if interrupted while waiting; the writer is aborted
     */
    public List<FragmentInfo> finish() throws InterruptedException {
        lock.lock();
        try {
            requireOpen();
            try {
                if (failure == null && !pending.isEmpty()) {
                    awaitBatchSlot();
                    submitPending();
                }
                while (batchesRunning > 0) {
                    changed.await();
                }
            } catch (InterruptedException e) {
                abortLocked();
                throw e;
            }
            finished = true;
            if (failure != null) {
                throw failure;
            }
            return List.copyOf(results);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops what is not yet handed to the store and waits, without being interruptible, for the
     * batches being stored. Later writes are refused. Does nothing after {@link #finish}.
     */
    public void abort() {
        lock.lock();
        try {
            if (!finished) {
                abortLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Aborts the writer unless {@link #finish} was called. */
    @Override
    public void close() {
        abort();
    }

    /** Bytes read into memory and not yet stored, for monitoring and tests. */
    public long bytesInFlight() {
        lock.lock();
        try {
            return bytesInFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for room for {@code size} bytes, reserves it and the fragment's place in the results. */
    private int admit(FragmentId id, long size) throws InterruptedException {
        lock.lock();
        try {
            requireOpen();
            try {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted before writing fragment " + describe(id));
                }
                // A fragment always fits into an empty writer (size <= maxBatchBytes <= maxBytesInFlight).
                while (failure == null && bytesInFlight > 0 && bytesInFlight + size > limits.maxBytesInFlight()) {
                    changed.await();
                }
            } catch (InterruptedException e) {
                abortLocked();
                throw e;
            }
            if (failure != null) {
                throw refused(id);
            }
            bytesInFlight += size;
            results.add(null);
            return results.size() - 1;
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(FragmentBytes fragment, int position) throws InterruptedException {
        long size = fragment.data().remaining();
        lock.lock();
        try {
            try {
                if (failure == null && !pending.isEmpty() && pendingBytes + size > limits.maxBatchBytes()) {
                    awaitBatchSlot();
                    submitPending();
                }
                if (failure != null) {
                    bytesInFlight -= size;
                    throw refused(fragment.id());
                }
                pending.add(fragment);
                pendingPositions.add(position);
                pendingBytes += size;
                if (pending.size() >= limits.maxBatchFragments()) {
                    awaitBatchSlot();
                    submitPending();
                }
            } catch (InterruptedException e) {
                abortLocked();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stores a fragment too large for a batch on the caller's thread. */
    private void storeAlone(int position, Supplier<FragmentInfo> work) {
        FragmentInfo info;
        try {
            info = work.get();
        } catch (RuntimeException e) {
            throw fail(e);
        }
        lock.lock();
        try {
            results.set(position, info);
        } finally {
            lock.unlock();
        }
    }

    private void awaitBatchSlot() throws InterruptedException {
        while (failure == null && batchesRunning >= limits.maxConcurrentBatches()) {
            changed.await();
        }
    }

    /** Hands the pending fragments to the executor as one batch; with the lock held. */
    private void submitPending() {
        if (pending.isEmpty()) {
            return;
        }
        if (failure != null) {
            dropPending();
            return;
        }
        List<FragmentBytes> batch = List.copyOf(pending);
        int[] positions = pendingPositions.stream().mapToInt(Integer::intValue).toArray();
        long bytes = pendingBytes;
        pending.clear();
        pendingPositions.clear();
        pendingBytes = 0;
        batchesRunning++;
        try {
            executor.execute(() -> storeBatch(batch, positions, bytes));
        } catch (RejectedExecutionException e) {
            batchesRunning--;
            bytesInFlight -= bytes;
            recordFailure(new FragmentStoreException("cannot store fragment " + describe(batch.get(0).id()) + " and the "
                    + (batch.size() - 1) + " after it in its batch: the executor refused the work (" + e.getMessage()
                    + "); is the node stopping?", e));
        }
    }

    private void storeBatch(List<FragmentBytes> batch, int[] positions, long bytes) {
        List<FragmentInfo> stored = null;
        RuntimeException error = null;
        boolean skip;
        lock.lock();
        try {
            skip = failure != null;
        } finally {
            lock.unlock();
        }
        if (!skip) {
            try {
                stored = store.storeAll(batch);
                if (stored == null || stored.size() != batch.size()
                        || stored.stream().anyMatch(java.util.Objects::isNull)) {
                    throw new FragmentStoreException("the store " + store + " answered a batch of " + batch.size()
                            + " fragments starting with fragment " + describe(batch.get(0).id()) + " with "
                            + (stored == null ? "nothing" : stored.size() + " results") + "; its storeAll breaks the"
                            + " FragmentStore contract");
                }
            } catch (RuntimeException | Error e) {
                stored = null;
                error = e instanceof RuntimeException r ? r : new FragmentStoreException("cannot store fragment "
                        + describe(batch.get(0).id()) + " and the " + (batch.size() - 1) + " after it: " + e, e);
            }
        }
        lock.lock();
        try {
            if (stored != null) {
                for (int i = 0; i < positions.length; i++) {
                    results.set(positions[i], stored.get(i));
                }
            } else if (error != null) {
                recordFailure(named(error, batch));
            }
            batchesRunning--;
            bytesInFlight -= bytes;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A failure as a FragmentStoreException naming a fragment; the backend's own exceptions already do. */
    private static RuntimeException named(RuntimeException e, List<FragmentBytes> batch) {
        if (e instanceof FragmentStoreException) {
            return e;
        }
        return new FragmentStoreException("cannot store the batch starting with fragment " + describe(batch.get(0).id())
                + " (" + batch.size() + " fragments): " + e, e);
    }

    private RuntimeException fail(RuntimeException e) {
        lock.lock();
        try {
            RuntimeException own = e instanceof FragmentStoreException ? e : new FragmentStoreException(e.getMessage(), e);
            recordFailure(own);
            return own;
        } finally {
            lock.unlock();
        }
    }

    /** Keeps the first failure and drops what was not yet handed to the store; with the lock held. */
    private void recordFailure(RuntimeException e) {
        if (failure == null) {
            failure = e;
        }
        dropPending();
        changed.signalAll();
    }

    private void abortLocked() {
        if (!aborted) {
            aborted = true;
            recordFailure(new FragmentStoreException("the batch writer was aborted; the fragments not yet stored"
                    + " were dropped"));
        }
        boolean interrupted = false;
        while (batchesRunning > 0) {
            try {
                changed.await();
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: no task may run after abort returns
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void dropPending() {
        bytesInFlight -= pendingBytes;
        pending.clear();
        pendingPositions.clear();
        pendingBytes = 0;
    }

    private void requireOpen() {
        if (finished || aborted) {
            throw new IllegalStateException("the batch writer is " + (finished ? "finished" : "aborted")
                    + "; start a new one");
        }
    }

    private FragmentStoreException refused(FragmentId id) {
        return new FragmentStoreException("refused fragment " + describe(id) + ": an earlier fragment of this batch"
                + " writer failed: " + failure.getMessage(), failure);
    }

    private void release(long size) {
        lock.lock();
        try {
            bytesInFlight -= size;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static ByteBuffer readFully(FragmentId id, ReadableByteChannel source, int size) {
        ByteBuffer data = ByteBuffer.allocate(size);
        try {
            while (data.hasRemaining()) {
                if (source.read(data) < 0) {
                    throw new FragmentStoreException("fragment " + describe(id) + " ended after " + data.position()
                            + " of " + size + " bytes");
                }
            }
            if (source.read(ByteBuffer.allocate(1)) > 0) {
                throw new FragmentStoreException("fragment " + describe(id) + " is longer than the " + size
                        + " bytes announced");
            }
        } catch (IOException e) {
            throw new FragmentStoreException("cannot read fragment " + describe(id) + ": " + e, e);
        }
        return data.flip();
    }

    private static String describe(FragmentId id) {
        return id.index() + " of tessera " + id.tessera();
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "batch writer to " + store + ": " + bytesInFlight + " bytes in flight, " + batchesRunning
                    + " batch(es) being stored" + (failure == null ? "" : ", failed: " + failure.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
