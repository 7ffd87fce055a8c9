package net.tesseras.common.metrics.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A store's meters (names as Prometheus shows them):
 *
 * <ul>
 *   <li>{@code tesseras_store_read_seconds}, {@code _write_}, {@code _delete_}, {@code _verify_}:
 *       count, sum and histogram buckets of each operation (p50/p95/p99 by histogram_quantile);
 *   <li>{@code tesseras_store_read_bytes_total}, {@code tesseras_store_written_bytes_total};
 *   <li>{@code tesseras_store_read_misses_total}: reads of fragments the store does not hold;
 *   <li>{@code tesseras_store_verify_failures_total} (tag {@code status}: corrupt, missing);
 *   <li>{@code tesseras_store_errors_total} (tag {@code operation});
 *   <li>{@code tesseras_store_fragments} and {@code tesseras_store_bytes}, from the index.
 * </ul>
 *
 * Every meter is tagged {@code store}.
 */
public final class MicrometerStoreMetrics implements StoreMetrics, AutoCloseable {

    private final MeterRegistry registry;
    private final String store;
    private final List<Meter> meters = new ArrayList<>();
    private final Timer reads;
    private final Timer writes;
    private final Timer deletes;
    private final Timer verifies;
    private final Counter bytesRead;
    private final Counter bytesWritten;
    private final Counter readMisses;
    private final Counter corrupt;
    private final Counter missing;

    public MicrometerStoreMetrics(MeterRegistry registry, InstrumentedStore source) {
        this.registry = registry;
        this.store = source.storeName();
        this.reads = timer("tesseras.store.read", "Fragment reads");
        this.writes = timer("tesseras.store.write", "Fragment stores (durable when counted)");
        this.deletes = timer("tesseras.store.delete", "Fragment deletes");
        this.verifies = timer("tesseras.store.verify", "Verifications of one tessera's fragments");
        this.bytesRead = counter("tesseras.store.read.bytes", "Bytes read", "bytes");
        this.bytesWritten = counter("tesseras.store.written.bytes", "Bytes stored", "bytes");
        this.readMisses = counter("tesseras.store.read.misses", "Reads of fragments the store does not hold", null);
        this.corrupt = keep(Counter.builder("tesseras.store.verify.failures").tag("store", store).tag("status", "corrupt")
                .description("Fragments found corrupt by verification").register(registry));
        this.missing = keep(Counter.builder("tesseras.store.verify.failures").tag("store", store).tag("status", "missing")
                .description("Fragments found missing by verification").register(registry));
        keep(Gauge.builder("tesseras.store.fragments", source, s -> s.stats().fragments()).tag("store", store)
                .description("Fragments held, from the index").register(registry));
        keep(Gauge.builder("tesseras.store.bytes", source, s -> s.stats().bytes()).tag("store", store).baseUnit("bytes")
                .description("Bytes held, from the index").register(registry));
    }

    @Override
    public void read(long nanos, long bytes) {
        reads.record(nanos, TimeUnit.NANOSECONDS);
        if (bytes < 0) {
            readMisses.increment();
        } else {
            bytesRead.increment(bytes);
        }
    }

    @Override
    public void write(long nanos, long bytes) {
        writes.record(nanos, TimeUnit.NANOSECONDS);
        bytesWritten.increment(bytes);
    }

    @Override
    public void delete(long nanos) {
        deletes.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void verify(long nanos, int fragments, int corruptFragments, int missingFragments) {
        verifies.record(nanos, TimeUnit.NANOSECONDS);
        corrupt.increment(corruptFragments);
        missing.increment(missingFragments);
    }

    @Override
    public void error(String operation) {
        // Looked up on demand: errors are rare, and a registry caches the meter.
        Counter.builder("tesseras.store.errors").tag("store", store).tag("operation", operation)
                .description("Store operations that failed").register(registry).increment();
    }

    /** Removes this store's meters from the registry. */
    @Override
    public void close() {
        for (Meter meter : meters) {
            registry.remove(meter);
        }
        registry.find("tesseras.store.errors").tag("store", store).meters().forEach(registry::remove);
        meters.clear();
    }

    private Timer timer(String name, String description) {
        return keep(Timer.builder(name).tag("store", store).description(description)
                // Buckets, not client-side percentiles: p50/p95/p99 come from histogram_quantile in
                // PromQL, aggregate across stores and nodes, and need no HdrHistogram.
                .publishPercentileHistogram().register(registry));
    }

    private Counter counter(String name, String description, String unit) {
        Counter.Builder builder = Counter.builder(name).tag("store", store).description(description);
        if (unit != null) {
            builder.baseUnit(unit);
        }
        return keep(builder.register(registry));
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }
}
