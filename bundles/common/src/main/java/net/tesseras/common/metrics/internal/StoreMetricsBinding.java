package net.tesseras.common.metrics.internal;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures every store of a bundle while a Micrometer {@link MeterRegistry} service exists. Each
 * bundle that measures stores declares a small DS component extending this (bnd generates no
 * descriptor for classes embedded from another module), referencing the registry statically and
 * its {@link InstrumentedStore}s dynamically. Those are the only classes that name Micrometer:
 * without a registry the component stays unsatisfied, and with Micrometer imported dynamically a
 * metrics bundle deployed later is picked up without restarting anything.
 */
public abstract class StoreMetricsBinding {

    private final MeterRegistry registry;
    private final Map<InstrumentedStore, MicrometerStoreMetrics> measured = new ConcurrentHashMap<>();

    protected StoreMetricsBinding(MeterRegistry registry) {
        this.registry = registry;
    }

    protected void bindStore(InstrumentedStore store) {
        MicrometerStoreMetrics metrics = new MicrometerStoreMetrics(registry, store);
        MicrometerStoreMetrics previous = measured.put(store, metrics);
        if (previous != null) {
            previous.close();
        }
        store.instrument(metrics);
    }

    protected void unbindStore(InstrumentedStore store) {
        MicrometerStoreMetrics metrics = measured.remove(store);
        if (metrics != null) {
            store.instrument(StoreMetrics.NONE);
            metrics.close();
        }
    }

    protected void deactivate() {
        measured.forEach((store, metrics) -> {
            store.instrument(StoreMetrics.NONE);
            metrics.close();
        });
        measured.clear();
    }
}
