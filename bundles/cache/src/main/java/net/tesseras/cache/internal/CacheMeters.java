package net.tesseras.cache.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cache's meters in one registry, from creation until {@link #close()}. Meters read the cache's
 * own counters, so the read path pays nothing for them.
 *
 * <p>Prometheus names: {@code tesseras_fragment_cache_hits_total} and {@code _misses_total}
 * (tagged by store), {@code tesseras_fragment_cache_evictions_total}, {@code
 * tesseras_fragment_cache_bytes} and {@code tesseras_fragment_cache_entries}.
 */
public final class CacheMeters implements AutoCloseable {

    private final MeterRegistry registry;
    private final FragmentCache cache;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    public CacheMeters(MeterRegistry registry, FragmentCache cache) {
        this.registry = registry;
        this.cache = cache;
        meters.add(Gauge.builder("tesseras.fragment.cache.bytes", cache, FragmentCache::bytes)
                .description("Bytes held by the fragment cache, by the measure of its budget").baseUnit("bytes")
                .register(registry));
        meters.add(Gauge.builder("tesseras.fragment.cache.entries", cache, FragmentCache::entries)
                .description("Fragments held by the fragment cache").register(registry));
        meters.add(FunctionCounter.builder("tesseras.fragment.cache.evictions", cache, FragmentCache::evictions)
                .description("Entries removed to respect the budget or a time-to-live").register(registry));
        cache.onStore((store, counters) -> {
            meters.add(FunctionCounter.builder("tesseras.fragment.cache.hits", counters, FragmentCache.Counters::hits)
                    .description("Reads served from the fragment cache").tag("store", store).register(registry));
            meters.add(FunctionCounter.builder("tesseras.fragment.cache.misses", counters, FragmentCache.Counters::misses)
                    .description("Reads that went to the backend").tag("store", store).register(registry));
        });
    }

    @Override
    public void close() {
        cache.onStore((store, counters) -> {});
        for (Meter meter : meters) {
            registry.remove(meter);
        }
        meters.clear();
    }
}
