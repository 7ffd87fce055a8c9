package net.tesseras.common.internal;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;

/**
 * A store in memory that records how it is called: the batches, the fragments streamed alone, how
 * many batches run at once; it can hold batches at a gate and fail at a chosen fragment.
 */
class MemoryStore implements FragmentStore {

    final Map<String, byte[]> held = new ConcurrentHashMap<>();
    final List<List<FragmentId>> batches = new CopyOnWriteArrayList<>();
    final List<FragmentId> streamed = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostRunning = new AtomicInteger();
    /** Bytes of the batches that returned. */
    final AtomicLong storedBytes = new AtomicLong();
    /** Closed when not null: each batch takes a permit before it stores anything. */
    volatile Semaphore gate;
    /** A fragment index whose store fails, or -1. */
    volatile int failAt = -1;

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return storeAll(List.of(new FragmentBytes(id, data))).get(0);
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        streamed.add(id);
        return FragmentStore.super.store(id, source, size);
    }

    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        batches.add(fragments.stream().map(FragmentBytes::id).toList());
        int now = running.incrementAndGet();
        mostRunning.accumulateAndGet(now, Math::max);
        try {
            Semaphore g = gate;
            if (g != null) {
                g.acquireUninterruptibly();
            }
            List<FragmentInfo> infos = new ArrayList<>();
            for (FragmentBytes f : fragments) {
                if (f.id().index() == failAt) {
                    throw new FragmentStoreException("cannot store fragment " + f.id().index() + " of tessera "
                            + f.id().tessera() + ": the test disk failed");
                }
                ContentHash actual = Blake3Hashing.hash(f.data());
                if (!actual.equals(f.id().checksum())) {
                    throw new ChecksumMismatchException(f.id(), actual);
                }
                byte[] bytes = new byte[f.data().remaining()];
                f.data().duplicate().get(bytes);
                held.put(key(f.id().tessera(), f.id().index()), bytes);
                infos.add(new FragmentInfo(f.id(), bytes.length, Instant.ofEpochMilli(1), Optional.empty()));
            }
            storedBytes.addAndGet(fragments.stream().mapToLong(f -> f.data().remaining()).sum());
            return infos;
        } finally {
            running.decrementAndGet();
        }
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        return Optional.ofNullable(held.get(key(tessera, index))).map(ByteBuffer::wrap);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return held.remove(key(tessera, index)) != null;
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        throw new UnsupportedOperationException("not needed by the batch writer");
    }

    @Override
    public List<ContentHash> tesseras() {
        throw new UnsupportedOperationException("not needed by the batch writer");
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        throw new UnsupportedOperationException("not needed by the batch writer");
    }

    @Override
    public StoreStats stats() {
        return new StoreStats(0, held.size(), held.values().stream().mapToLong(b -> b.length).sum());
    }

    private static String key(ContentHash tessera, int index) {
        return tessera + "/" + index;
    }
}
