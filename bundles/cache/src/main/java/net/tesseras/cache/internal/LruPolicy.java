package net.tesseras.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/** One Caffeine cache bounded by weight in bytes. */
final class LruPolicy implements CachePolicy {

    private final Cache<CacheKey, ByteBuffer> cache;
    private final LongAdder evictions = new LongAdder();

    LruPolicy(long budgetBytes) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(budgetBytes)
                .weigher((CacheKey k, ByteBuffer v) -> CachePolicy.weigh(v))
                .evictionListener((k, v, cause) -> evictions.increment())
                // Evict on the caller's thread: the budget holds as soon as put returns.
                .executor(Runnable::run)
                .build();
    }

    @Override
    public ByteBuffer get(CacheKey key) {
        return cache.getIfPresent(key);
    }

    @Override
    public void put(CacheKey key, ByteBuffer value, BooleanSupplier stillValid) {
        cache.asMap().compute(key, (k, old) -> stillValid.getAsBoolean() ? value : old);
    }

    @Override
    public void invalidate(CacheKey key) {
        cache.invalidate(key);
    }

    @Override
    public void invalidateAll() {
        cache.invalidateAll();
        cache.cleanUp();
    }

    @Override
    public long weightedBytes() {
        cache.cleanUp();
        return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    @Override
    public long entries() {
        return cache.estimatedSize();
    }

    @Override
    public long evictions() {
        return evictions.sum();
    }

    @Override
    public Map<CacheKey, ByteBuffer> entriesView() {
        return cache.asMap();
    }
}
