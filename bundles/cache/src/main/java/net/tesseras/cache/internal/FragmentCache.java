package net.tesseras.cache.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The node's one fragment cache: a single byte budget shared by every store it fronts, so memory
 * is bounded by the budget whatever the number of stores. Entries are keyed by (store, fragment)
 * and hold the backend's read-only buffer, shared by every hit without copying.
 *
 * <p>{@link #configure} swaps the policy or its size while reads go on: readers that hold the old
 * policy finish against it, newer ones use the new one, and a miss only costs a backend read.
 */
public final class FragmentCache {

    private final Ticker ticker;
    private final Map<String, Counters> counters = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<String, Counters> storeListener = (store, c) -> {};
    private volatile CacheSettings settings;
    private volatile CachePolicy policy;

    public FragmentCache(CacheSettings settings) {
        this(settings, Ticker.systemTicker());
    }

    public FragmentCache(CacheSettings settings, Ticker ticker) {
        this.ticker = ticker;
        this.settings = settings;
        this.policy = create(settings);
    }

    /** Applies new settings; a new policy starts empty and the old one is dropped. */
    public synchronized void configure(CacheSettings next) {
        if (next.equals(settings)) {
            return;
        }
        CachePolicy previous = policy;
        settings = next;
        policy = create(next);
        previous.invalidateAll();
    }

    public CacheSettings settings() {
        return settings;
    }

    /** The cached bytes (a shared read-only buffer at position 0), or null; counts a hit or a miss. */
    ByteBuffer get(CacheKey key) {
        return get(key, counters(key.store()));
    }

    /** As {@link #get(CacheKey)}, with the store's counters resolved once by the caller (hot path). */
    ByteBuffer get(CacheKey key, Counters c) {
        ByteBuffer value = policy.get(key);
        if (value == null) {
            c.misses.increment();
            return null;
        }
        c.hits.increment();
        return value.duplicate();
    }

    /**
     * The cached bytes if held, counting a hit but not a miss: a caller that misses here goes on
     * to {@link #get(CacheKey, Counters)}, which counts the miss. Never blocks.
     */
    ByteBuffer peek(CacheKey key, Counters c) {
        ByteBuffer value = policy.get(key);
        if (value == null) {
            return null;
        }
        c.hits.increment();
        return value.duplicate();
    }

    /** Whether a fragment of {@code size} bytes would be kept at all (no caching, or too large, says no). */
    boolean admits(long size) {
        CacheSettings current = settings;
        return current.policy() != CacheSettings.Policy.NONE && size <= current.largestCacheable();
    }

    /**
     * Offers a fragment just read from a backend; it is kept unless it is larger than the largest
     * cacheable entry or {@code stillValid} turns false (a concurrent delete).
     */
    void offer(CacheKey key, ByteBuffer value, BooleanSupplier stillValid) {
        CacheSettings current = settings;
        if (value.capacity() > current.largestCacheable()) {
            return;
        }
        policy.put(key, value.isReadOnly() ? value : value.asReadOnlyBuffer(), stillValid);
    }

    void invalidate(CacheKey key) {
        policy.invalidate(key);
    }

    /** Drops every entry of one store, when it stops being fronted. */
    void invalidateStore(String store) {
        CachePolicy current = policy;
        current.entriesView().keySet().stream().filter(k -> k.store().equals(store)).toList()
                .forEach(current::invalidate);
    }

    public CacheStatistics statistics() {
        CachePolicy current = policy;
        Map<String, long[]> held = new TreeMap<>();
        for (Map.Entry<CacheKey, ByteBuffer> e : current.entriesView().entrySet()) {
            long[] figures = held.computeIfAbsent(e.getKey().store(), s -> new long[2]);
            figures[0] += CachePolicy.weigh(e.getValue());
            figures[1]++;
        }
        Map<String, CacheStatistics.StoreFigures> stores = new TreeMap<>();
        long hits = 0;
        long misses = 0;
        for (Map.Entry<String, Counters> e : counters.entrySet()) {
            long[] figures = held.getOrDefault(e.getKey(), new long[2]);
            long h = e.getValue().hits.sum();
            long m = e.getValue().misses.sum();
            hits += h;
            misses += m;
            stores.put(e.getKey(), new CacheStatistics.StoreFigures(h, m, figures[0], figures[1]));
        }
        return new CacheStatistics(settings, current.weightedBytes(), current.entries(), hits, misses,
                current.evictions(), stores);
    }

    Counters counters(String store) {
        Counters existing = counters.get(store);
        if (existing != null) {
            return existing;
        }
        boolean[] created = new boolean[1];
        Counters c = counters.computeIfAbsent(store, s -> {
            created[0] = true;
            return new Counters();
        });
        if (created[0]) {
            storeListener.accept(store, c);
        }
        return c;
    }

    /** Calls {@code listener} for every store counted so far and for each new one, until replaced. */
    synchronized void onStore(java.util.function.BiConsumer<String, Counters> listener) {
        storeListener = listener;
        counters.forEach(listener);
    }

    /** Bytes held, by the measure of the budget. */
    long bytes() {
        return policy.weightedBytes();
    }

    long entries() {
        return policy.entries();
    }

    long evictions() {
        return policy.evictions();
    }

    private CachePolicy create(CacheSettings s) {
        return switch (s.policy()) {
            case LRU -> new LruPolicy(s.budgetBytes());
            case TIERED -> new TieredPolicy(s.budgetBytes(), s.hotFraction(), s.hotTtl(), s.warmTtl(), ticker);
            case NONE -> new NoCachePolicy();
        };
    }

    /** For tests: the policy in force. */
    CachePolicy policy() {
        return policy;
    }

    /** Hits and misses of one store. */
    static final class Counters {
        final LongAdder hits = new LongAdder();
        final LongAdder misses = new LongAdder();

        double hits() {
            return hits.sum();
        }

        double misses() {
            return misses.sum();
        }
    }
}
