package net.tesseras.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.tesseras.cache.internal.CacheMeters;
import net.tesseras.cache.internal.CacheSettings;
import net.tesseras.cache.internal.CachingFragmentStore;
import net.tesseras.cache.internal.FragmentCache;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot read path (a cache hit of a 4 KiB fragment) with no registry, and with the cache's meters
 * bound to a Prometheus registry, in one run: what instrumentation costs a read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(2)
public class MetricsOverheadBenchmark {

    private static final int FRAGMENTS = 1024;

    private CachingFragmentStore plain;
    private CachingFragmentStore measured;
    private ContentHash tessera;
    private int next;

    @Setup
    public void fill() {
        tessera = Blake3Hashing.hash(new byte[] {5});
        FixedBytesStore backend = new FixedBytesStore(4096, false);
        plain = new CachingFragmentStore("fs", backend, new FragmentCache(CacheSettings.defaults()));
        FragmentCache measuredCache = new FragmentCache(CacheSettings.defaults());
        new CacheMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), measuredCache);
        measured = new CachingFragmentStore("fs", backend, measuredCache);
        for (int i = 0; i < FRAGMENTS; i++) {
            plain.read(tessera, i);
            measured.read(tessera, i);
        }
    }

    @Benchmark
    public Optional<ByteBuffer> cachedReadWithoutRegistry() {
        return plain.read(tessera, next());
    }

    @Benchmark
    public Optional<ByteBuffer> cachedReadWithRegistry() {
        return measured.read(tessera, next());
    }

    private int next() {
        next = (next + 1) & (FRAGMENTS - 1);
        return next;
    }

}
