package net.tesseras.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * A small hot tier and a larger warm tier, each bounded in bytes and with its own time-to-live
 * after last access. New entries go to warm; a hit in warm promotes the entry to hot; an entry
 * pushed out of hot by size goes back to warm. Only warm evictions and expirations leave the cache.
 */
final class TieredPolicy implements CachePolicy {

    private final Cache<CacheKey, ByteBuffer> hot;
    private final Cache<CacheKey, ByteBuffer> warm;
    private final LongAdder evictions = new LongAdder();

    TieredPolicy(long budgetBytes, double hotFraction, Duration hotTtl, Duration warmTtl, Ticker ticker) {
        long hotBytes = Math.max(1, (long) (budgetBytes * hotFraction));
        this.warm = Caffeine.newBuilder()
                .maximumWeight(Math.max(0, budgetBytes - hotBytes))
                .weigher((CacheKey k, ByteBuffer v) -> CachePolicy.weigh(v))
                .expireAfterAccess(warmTtl)
                .ticker(ticker)
                .evictionListener((k, v, cause) -> evictions.increment())
                .executor(Runnable::run)
                .build();
        this.hot = Caffeine.newBuilder()
                .maximumWeight(hotBytes)
                .weigher((CacheKey k, ByteBuffer v) -> CachePolicy.weigh(v))
                .expireAfterAccess(hotTtl)
                .ticker(ticker)
                .evictionListener((CacheKey k, ByteBuffer v, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE && k != null && v != null) {
                        warm.put(k, v); // demoted, not lost
                    } else {
                        evictions.increment();
                    }
                })
                .executor(Runnable::run)
                .build();
    }

    @Override
    public ByteBuffer get(CacheKey key) {
        ByteBuffer value = hot.getIfPresent(key);
        if (value != null) {
            return value;
        }
        value = warm.getIfPresent(key);
        if (value != null) {
            // Promote: a fragment read twice within the warm time-to-live is hot.
            warm.invalidate(key);
            hot.put(key, value);
        }
        return value;
    }

    @Override
    public void put(CacheKey key, ByteBuffer value, BooleanSupplier stillValid) {
        warm.asMap().compute(key, (k, old) -> stillValid.getAsBoolean() ? value : old);
    }

    @Override
    public void invalidate(CacheKey key) {
        hot.invalidate(key);
        warm.invalidate(key);
    }

    @Override
    public void invalidateAll() {
        hot.invalidateAll();
        warm.invalidateAll();
        hot.cleanUp();
        warm.cleanUp();
    }

    @Override
    public long weightedBytes() {
        hot.cleanUp();
        warm.cleanUp();
        return hot.policy().eviction().orElseThrow().weightedSize().orElse(0)
                + warm.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    @Override
    public long entries() {
        return hot.estimatedSize() + warm.estimatedSize();
    }

    @Override
    public long evictions() {
        return evictions.sum();
    }

    /** Entries of the hot tier, for tests and status. */
    long hotEntries() {
        hot.cleanUp();
        return hot.estimatedSize();
    }

    @Override
    public Map<CacheKey, ByteBuffer> entriesView() {
        Map<CacheKey, ByteBuffer> all = new HashMap<>(warm.asMap());
        all.putAll(hot.asMap());
        return all;
    }
}
