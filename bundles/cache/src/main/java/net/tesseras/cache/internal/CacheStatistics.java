package net.tesseras.cache.internal;

import java.util.Map;

/**
 * A snapshot of the cache for status displays and metrics.
 *
 * @param settings what the cache runs with
 * @param bytes bytes held, by the measure of the budget
 * @param entries fragments held
 * @param hits reads served from memory since start
 * @param misses reads that went to a backend
 * @param evictions entries removed to respect the budget or their time-to-live
 * @param stores per-store figures, by store name
 */
public record CacheStatistics(CacheSettings settings, long bytes, long entries, long hits, long misses, long evictions,
        Map<String, StoreFigures> stores) {

    /** Figures of one decorated store. */
    public record StoreFigures(long hits, long misses, long bytes, long entries) {
        public double hitRatio() {
            return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
        }
    }

    public double hitRatio() {
        return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
    }
}
