package net.tesseras.common.metrics.internal;

import net.tesseras.storage.StoreStats;

/**
 * A store whose work can be measured. Registered as a service (internal to its bundle) beside
 * FragmentStore, so that {@link StoreMetricsComponent} finds it.
 */
public interface InstrumentedStore {

    String storeName();

    StoreStats stats();

    /** Starts reporting to {@code metrics}, or stops with {@link StoreMetrics#NONE}. */
    void instrument(StoreMetrics metrics);
}
