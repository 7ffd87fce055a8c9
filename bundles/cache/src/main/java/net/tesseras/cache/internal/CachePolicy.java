package net.tesseras.cache.internal;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Where the cache keeps its entries; {@link FragmentCache} swaps one for another at runtime. */
interface CachePolicy {

    /** Fixed weight added per entry for the key, the buffer object and the map's own bookkeeping. */
    int ENTRY_OVERHEAD_BYTES = 160;

    /** The shared read-only bytes, or null. */
    ByteBuffer get(CacheKey key);

    /** Caches {@code value} unless {@code stillValid} is false at the moment of insertion. */
    void put(CacheKey key, ByteBuffer value, BooleanSupplier stillValid);

    void invalidate(CacheKey key);

    void invalidateAll();

    /** Bytes held, by the same measure as the budget. */
    long weightedBytes();

    long entries();

    long evictions();

    /** A consistent-enough view of every entry, for per-store figures. */
    Map<CacheKey, ByteBuffer> entriesView();

    static int weigh(ByteBuffer value) {
        return (int) Math.min(Integer.MAX_VALUE, (long) value.capacity() + ENTRY_OVERHEAD_BYTES);
    }
}
