package net.tesseras.cache.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;

/** A minimal in-memory backend that counts reads, for tests of the decorator. */
class CountingStore implements FragmentStore {

    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger opens = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    final Map<String, ByteBuffer> fragments = new ConcurrentHashMap<>();

    void put(ContentHash tessera, int index, ByteBuffer bytes) {
        fragments.put(tessera + "/" + index, bytes);
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        put(id.tessera(), id.index(), ByteBuffer.wrap(copy));
        return new FragmentInfo(id, copy.length, java.time.Instant.now(), Optional.empty());
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        reads.incrementAndGet();
        return Optional.ofNullable(fragments.get(tessera + "/" + index)).map(ByteBuffer::duplicate);
    }

    @Override
    public Optional<java.nio.channels.SeekableByteChannel> open(ContentHash tessera, int index) {
        opens.incrementAndGet();
        return Optional.ofNullable(fragments.get(tessera + "/" + index))
                .map(b -> net.tesseras.common.internal.FragmentChannel.of("fragment " + index + " of tessera " + tessera, b));
    }

    /** The cache must answer this from memory: a backend is never asked. */
    @Override
    public Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
        throw new AssertionError("readIfInMemory reached the backend");
    }

    @Override
    public List<FragmentInfo> storeAll(List<net.tesseras.storage.FragmentBytes> batch) {
        batches.incrementAndGet();
        return FragmentStore.super.storeAll(batch);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return fragments.remove(tessera + "/" + index) != null;
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return List.of();
    }

    @Override
    public List<ContentHash> tesseras() {
        return List.of();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        return List.of();
    }

    @Override
    public StoreStats stats() {
        return new StoreStats(0, fragments.size(), 0);
    }
}
