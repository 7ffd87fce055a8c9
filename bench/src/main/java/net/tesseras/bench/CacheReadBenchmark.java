package net.tesseras.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.tesseras.cache.internal.CacheSettings;
import net.tesseras.cache.internal.CachingFragmentStore;
import net.tesseras.cache.internal.FragmentCache;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cached read of a 4 KiB fragment through the cache decorator, side by side with a bare
 * Caffeine {@code getIfPresent} on keys of the same shape (the floor), and with a read from the
 * fs backend while the page cache is warm (what the cache saves).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CacheReadBenchmark {

    private static final int FRAGMENTS = 1024;

    /** A key of the same shape as the cache's own. */
    record Key(String store, ContentHash tessera, int index) {}

    private Path dir;
    private SqliteDatabase database;
    private FsFragmentStore backend;
    private CachingFragmentStore cached;
    private Cache<Key, ByteBuffer> caffeine;
    private ContentHash tessera;
    private int next;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "target")).toAbsolutePath(), "cache");
        database = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        backend = FsFragmentStore.open("fs", dir.resolve("fragments"), database, 0, false);
        cached = new CachingFragmentStore("fs", backend, new FragmentCache(CacheSettings.defaults()));
        caffeine = Caffeine.newBuilder().maximumWeight(128L << 20)
                .weigher((Key k, ByteBuffer v) -> v.capacity()).build();
        tessera = Blake3Hashing.hash(new byte[] {42});
        Random random = new Random(1);
        for (int i = 0; i < FRAGMENTS; i++) {
            byte[] bytes = new byte[4096];
            random.nextBytes(bytes);
            backend.store(new FragmentId(tessera, i, false, Blake3Hashing.hash(bytes)), ByteBuffer.wrap(bytes));
            cached.read(tessera, i); // warm the cache
            caffeine.put(new Key("fs", tessera, i), ByteBuffer.wrap(bytes).asReadOnlyBuffer());
            backend.read(tessera, i); // warm the page cache
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        backend.close();
        database.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public Optional<ByteBuffer> cachedRead() {
        return cached.read(tessera, next());
    }

    @Benchmark
    public ByteBuffer caffeineGetIfPresent() {
        ByteBuffer value = caffeine.getIfPresent(new Key("fs", tessera, next()));
        return value == null ? null : value.duplicate();
    }

    /** The fs backend's read: index row, file length, bytes, BLAKE3 against the recorded checksum. */
    @Benchmark
    public Optional<ByteBuffer> fsReadWarmPageCache() {
        return backend.read(tessera, next());
    }

    /** The reference for the checks above: the shard file's bytes, unchecked (the read before them). */
    @Benchmark
    public ByteBuffer fileReadUnchecked() throws IOException {
        Path file = dir.resolve("fragments").resolve(tessera.toHex()).resolve(String.format("%03d.shard", next()));
        return ByteBuffer.wrap(Files.readAllBytes(file)).asReadOnlyBuffer();
    }

    private int next() {
        next = (next + 1) & (FRAGMENTS - 1);
        return next;
    }
}
