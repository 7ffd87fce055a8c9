package net.tesseras.transport.quic.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.quic.internal.pool.ConnectionPool;
import net.tesseras.transport.quic.internal.wire.FrameType;

/**
 * The transport's meters (docs/METRICS.md): pool size, hits, misses and evictions by reason;
 * requests served by type with a latency histogram; errors by code; bytes both ways.
 */
final class MicrometerTransportMetrics implements TransportMetrics, AutoCloseable {

    private static final Duration[] BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000),
        Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1),
        Duration.ofSeconds(5)};

    private final MeterRegistry registry;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Counter hits;
    private final Counter misses;
    private final Counter received;
    private final Counter sent;
    private final Map<String, Counter> evictions = new ConcurrentHashMap<>();
    private final Map<Integer, Timer> requests = new ConcurrentHashMap<>();
    private final Map<ErrorCode, Counter> errors = new ConcurrentHashMap<>();

    MicrometerTransportMetrics(MeterRegistry registry, IntSupplier poolSize) {
        this.registry = registry;
        meters.add(Gauge.builder("tesseras.conn.pool.size", poolSize::getAsInt)
                .description("Pooled QUIC connections, inbound and outbound").register(registry));
        this.hits = keep(Counter.builder("tesseras.conn.pool.hits").description("Requests that reused a pooled connection").register(registry));
        this.misses = keep(Counter.builder("tesseras.conn.pool.misses").description("Requests that had to open a connection").register(registry));
        this.received = keep(Counter.builder("tesseras.transport.received").baseUnit("bytes")
                .description("Bytes received on protocol streams").register(registry));
        this.sent = keep(Counter.builder("tesseras.transport.sent").baseUnit("bytes")
                .description("Bytes sent on protocol streams").register(registry));
        for (String reason : new String[] {ConnectionPool.POOL_FULL, ConnectionPool.IDLE}) {
            evictions.put(reason, eviction(reason));
        }
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    private Counter eviction(String reason) {
        return keep(Counter.builder("tesseras.conn.pool.evictions").tag("reason", reason)
                .description("Connections closed by the pool, by reason").register(registry));
    }

    @Override
    public void hit() {
        hits.increment();
    }

    @Override
    public void miss() {
        misses.increment();
    }

    @Override
    public void evicted(String reason) {
        evictions.computeIfAbsent(reason, this::eviction).increment();
    }

    @Override
    public void served(int type, long nanos) {
        requests.computeIfAbsent(type, t -> keep(Timer.builder("tesseras.transport.request").tag("type", FrameType.name(t))
                .description("Requests served to peers, by type, from arrival to the answer written")
                .serviceLevelObjectives(BUCKETS).register(registry))).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void error(ErrorCode code) {
        errors.computeIfAbsent(code, c -> keep(Counter.builder("tesseras.transport.errors").tag("code", c.name().toLowerCase(Locale.ROOT))
                .description("ERROR and OVERLOADED answers sent to peers, by code").register(registry))).increment();
    }

    @Override
    public void received(int bytes) {
        received.increment(bytes);
    }

    @Override
    public void sent(int bytes) {
        sent.increment(bytes);
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
