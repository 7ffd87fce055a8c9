package net.tesseras.cache.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.common.internal.ForwardingFragmentStore;
import net.tesseras.common.internal.FragmentChannel;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;

/**
 * A {@link FragmentStore} that serves reads from the node's {@link FragmentCache} and passes
 * everything else to its backend (forwarded by {@link ForwardingFragmentStore}). Stores and deletes invalidate; listings, counts and verify go to
 * the backend (verify always re-reads the stored bytes, never the cache).
 *
 * <p>{@link #readIfInMemory} answers from the cache alone. {@link #open} serves a cached fragment
 * from memory, reads a small one whole (checked by the backend's channel) and keeps it, and hands
 * out the backend's channel for fragments larger than the cache keeps, so they stream past it.
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

    /** From the cache only: never calls the backend, never blocks. */
    @Override
    public Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        return Optional.ofNullable(cache.peek(new CacheKey(storeName, tessera, index), counters));
    }

    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        CacheKey key = new CacheKey(storeName, tessera, index);
        String fragment = "fragment " + index + " of tessera " + tessera;
        ByteBuffer cached = cache.get(key, counters);
        if (cached != null) {
            return Optional.of(FragmentChannel.of(fragment, cached));
        }
        long seen = deletions.get();
        Optional<SeekableByteChannel> opened = backend.open(tessera, index);
        if (opened.isEmpty()) {
            return opened;
        }
        SeekableByteChannel channel = opened.get();
        try {
            long size = channel.size();
            if (!cache.admits(size)) {
                return opened; // streams past the cache
            }
            // Read whole through the backend's channel, which checks the checksum at the end.
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining()) {
                if (channel.read(bytes) < 0) {
                    throw new IOException(fragment + " ended after " + bytes.position() + " of " + size + " bytes");
                }
            }
            if (channel.read(ByteBuffer.allocate(1)) >= 0) {
                throw new IOException(fragment + " is longer than the " + size + " bytes its channel announced");
            }
            channel.close();
            ByteBuffer verified = bytes.flip().asReadOnlyBuffer();
            cache.offer(key, verified, () -> deletions.get() == seen);
            return Optional.of(FragmentChannel.of(fragment, verified));
        } catch (IOException e) {
            closeQuietly(channel, e);
            String message = String.valueOf(e.getMessage());
            throw new FragmentStoreException(message.contains(tessera.toHex()) ? message
                    : "cannot read " + fragment + ": " + message, e);
        } catch (RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    private static void closeQuietly(SeekableByteChannel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /** Passes the batch to the backend; every fragment of it leaves the cache, as a store does, even on failure. */
    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        try {
            return backend.storeAll(fragments);
        } finally {
            for (FragmentBytes f : fragments) {
                cache.invalidate(new CacheKey(storeName, f.id().tessera(), f.id().index()));
            }
        }
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
