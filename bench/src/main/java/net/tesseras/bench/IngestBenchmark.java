package net.tesseras.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Synchronous;
import net.tesseras.storage.FragmentInfo;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable ingest of 64 KiB fragments through the fs backend, side by side with the raw file-system
 * work it is made of: write a temporary file, fsync it, rename it into place ({@code raw}); the same
 * plus the directory fsync that makes the rename survive power loss ({@code rawDirSync}); and the
 * raw write preceded by a BLAKE3 of the bytes ({@code rawThenHash}).
 *
 * <p>The store additionally verifies the BLAKE3 checksum (overlapped with the fsync), checks for
 * an existing fragment and commits an index row in SQLite. {@code storeNormal} promises what
 * {@code raw} does (survives a process crash), {@code storeFull} what {@code rawDirSync} does
 * (survives power loss). Every operation writes a new fragment; files are removed between
 * iterations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 4)
@Fork(1)
public class IngestBenchmark {

    private static final int FRAGMENTS_PER_TESSERA = 256;
    private static final int PAYLOADS = 64;

    @Param("65536")
    public int fragmentSize;

    private Path dir;
    private SqliteDatabase normalDatabase;
    private SqliteDatabase fullDatabase;
    private FsFragmentStore normalStore;
    private FsFragmentStore fullStore;
    private byte[][] payloads;
    private ContentHash[] checksums;
    private final AtomicLong counter = new AtomicLong();

    @Setup(Level.Trial)
    public void payloads() {
        Random random = new Random(42);
        payloads = new byte[PAYLOADS][fragmentSize];
        checksums = new ContentHash[PAYLOADS];
        for (int i = 0; i < PAYLOADS; i++) {
            random.nextBytes(payloads[i]);
            checksums[i] = Blake3Hashing.hash(payloads[i]);
        }
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "target")).toAbsolutePath(), "ingest");
        normalDatabase = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("normal/tesseras.db")));
        normalStore = FsFragmentStore.open("normal", dir.resolve("normal/fragments"), normalDatabase, 0, false);
        fullDatabase = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("full/tesseras.db")).withSynchronous(Synchronous.FULL));
        fullStore = FsFragmentStore.open("full", dir.resolve("full/fragments"), fullDatabase, 0, true);
        Files.createDirectories(dir.resolve("raw"));
        counter.set(0);
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        normalStore.close();
        fullStore.close();
        normalDatabase.close();
        fullDatabase.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The fs store with synchronous=NORMAL: survives process crashes. Compare with {@link #raw()}. */
    @Benchmark
    public FragmentInfo storeNormal() {
        return store(normalStore);
    }

    /** The fs store with synchronous=FULL: survives power loss. Compare with {@link #rawDirSync()}. */
    @Benchmark
    public FragmentInfo storeFull() {
        return store(fullStore);
    }

    private FragmentInfo store(FsFragmentStore store) {
        long n = counter.getAndIncrement();
        int payload = (int) (n % PAYLOADS);
        FragmentId id = new FragmentId(tessera(n / FRAGMENTS_PER_TESSERA), (int) (n % FRAGMENTS_PER_TESSERA), false,
                checksums[payload]);
        return store.store(id, ByteBuffer.wrap(payloads[payload]));
    }

    @Benchmark
    public Path raw() throws IOException {
        return rawWrite(false);
    }

    /** The raw write plus a BLAKE3 of the bytes before it: what verifying at the door costs without overlap. */
    @Benchmark
    public ContentHash rawThenHash() throws IOException {
        ContentHash hash = Blake3Hashing.hash(payloads[(int) (counter.get() % PAYLOADS)]);
        rawWrite(false);
        return hash;
    }

    @Benchmark
    public Path rawDirSync() throws IOException {
        return rawWrite(true);
    }

    private Path rawWrite(boolean syncDirectory) throws IOException {
        long n = counter.getAndIncrement();
        Path tesseraDir = dir.resolve("raw").resolve(Long.toString(n / FRAGMENTS_PER_TESSERA));
        if (!Files.isDirectory(tesseraDir)) {
            Files.createDirectories(tesseraDir); // as the store does; safe when threads race
        }
        Path target = tesseraDir.resolve(String.format("%03d.shard", n % FRAGMENTS_PER_TESSERA));
        Path temp = tesseraDir.resolve("." + target.getFileName() + ".tmp");
        ByteBuffer bytes = ByteBuffer.wrap(payloads[(int) (n % PAYLOADS)]);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        if (syncDirectory) {
            try (FileChannel d = FileChannel.open(tesseraDir, StandardOpenOption.READ)) {
                d.force(true);
            }
        }
        return target;
    }

    private static ContentHash tessera(long n) {
        byte[] seed = new byte[8];
        ByteBuffer.wrap(seed).putLong(n);
        return Blake3Hashing.hash(seed);
    }
}
