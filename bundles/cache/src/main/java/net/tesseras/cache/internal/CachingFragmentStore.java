package net.tesseras.cache.internal;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.common.internal.ForwardingFragmentStore;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;

/**
 * A {@link FragmentStore} that serves reads from the node's {@link FragmentCache} and passes
 * everything else to its backend (forwarded by {@link ForwardingFragmentStore}). Stores and deletes invalidate; listings, counts and verify go to
 * the backend (verify always re-reads the stored bytes, never the cache).
 */
public final class CachingFragmentStore extends ForwardingFragmentStore {

    private final String storeName;
    private final FragmentStore backend;
    private final FragmentCache cache;
    private final FragmentCache.Counters counters;
    // Bumped after each delete; a read that raced with one does not put what it read.
    private final AtomicLong deletions = new AtomicLong();

    public CachingFragmentStore(String storeName, FragmentStore backend, FragmentCache cache) {
        this.storeName = storeName;
        this.backend = backend;
        this.cache = cache;
        this.counters = cache.counters(storeName);
    }

    String storeName() {
        return storeName;
    }

    FragmentStore backend() {
        return backend;
    }

    @Override
    protected FragmentStore delegate() {
        return backend;
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        CacheKey key = new CacheKey(storeName, tessera, index);
        ByteBuffer cached = cache.get(key, counters);
        if (cached != null) {
            return Optional.of(cached);
        }
        long seen = deletions.get();
        Optional<ByteBuffer> read = backend.read(tessera, index);
        read.ifPresent(bytes -> cache.offer(key, bytes, () -> deletions.get() == seen));
        return read.map(ByteBuffer::duplicate);
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        FragmentInfo info = backend.store(id, data);
        cache.invalidate(new CacheKey(storeName, id.tessera(), id.index()));
        return info;
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        FragmentInfo info = backend.store(id, source, size);
        cache.invalidate(new CacheKey(storeName, id.tessera(), id.index()));
        return info;
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        boolean deleted = backend.delete(tessera, index);
        deletions.incrementAndGet();
        cache.invalidate(new CacheKey(storeName, tessera, index));
        return deleted;
    }

    @Override
    public String toString() {
        return "cache (" + cache.settings().policy().name().toLowerCase(java.util.Locale.ROOT) + ") in front of "
                + backend;
    }
}
