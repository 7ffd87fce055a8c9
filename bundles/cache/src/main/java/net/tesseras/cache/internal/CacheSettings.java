package net.tesseras.cache.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * What the node's fragment cache does.
 *
 * @param policy how entries are kept and evicted
 * @param budgetBytes the one byte budget for every store together
 * @param maxEntryBytes larger fragments are served but never cached
 * @param hotFraction share of the budget given to the hot tier (tiered policy)
 * @param hotTtl how long an unused entry stays hot (tiered policy)
 * @param warmTtl how long an unused entry stays warm (tiered policy)
 */
public record CacheSettings(Policy policy, long budgetBytes, long maxEntryBytes, double hotFraction, Duration hotTtl,
        Duration warmTtl) {

    /** The cache policies an operator can choose. */
    public enum Policy {
        /** Size-bounded eviction by Caffeine (recency and frequency). */
        LRU,
        /** A small hot tier and a larger warm tier with time-to-live; a hit in warm promotes to hot. */
        TIERED,
        /** No caching: every read goes to the backend. */
        NONE
    }

    public CacheSettings {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(hotTtl, "hotTtl");
        Objects.requireNonNull(warmTtl, "warmTtl");
        if (budgetBytes < 0 || maxEntryBytes < 0) {
            throw new IllegalArgumentException("cache sizes must not be negative");
        }
        if (!(hotFraction > 0 && hotFraction < 1)) {
            throw new IllegalArgumentException("hot fraction must be between 0 and 1, got " + hotFraction);
        }
    }

    /** The largest fragment this cache keeps. */
    long largestCacheable() {
        return Math.min(maxEntryBytes, budgetBytes);
    }

    public static CacheSettings defaults() {
        return new CacheSettings(Policy.LRU, 128L << 20, 16L << 20, 0.2, Duration.ofMinutes(10), Duration.ofHours(1));
    }
}
