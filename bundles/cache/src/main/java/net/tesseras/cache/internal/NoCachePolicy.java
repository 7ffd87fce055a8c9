package net.tesseras.cache.internal;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Pass-through: nothing is kept. */
final class NoCachePolicy implements CachePolicy {

    @Override
    public ByteBuffer get(CacheKey key) {
        return null;
    }

    @Override
    public void put(CacheKey key, ByteBuffer value, BooleanSupplier stillValid) {}

    @Override
    public void invalidate(CacheKey key) {}

    @Override
    public void invalidateAll() {}

    @Override
    public long weightedBytes() {
        return 0;
    }

    @Override
    public long entries() {
        return 0;
    }

    @Override
    public long evictions() {
        return 0;
    }

    @Override
    public Map<CacheKey, ByteBuffer> entriesView() {
        return Map.of();
    }
}
