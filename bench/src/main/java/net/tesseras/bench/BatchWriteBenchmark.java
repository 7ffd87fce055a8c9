package net.tesseras.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.tesseras.common.internal.BatchWriter;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Synchronous;
import net.tesseras.storage.FragmentBytes;
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
 * The fragments of one tessera (24 of 64 KiB by default) made durable three ways, one operation
 * per tessera: one {@link FsFragmentStore#storeAll} batch ({@code batch*}), one {@link
 * FsFragmentStore#store} after the other ({@code single*}), and the raw file-system work a store is
 * made of, file after file: write a temporary file, fsync it, rename it into place ({@code raw*}).
 *
 * <p>{@code *Normal} runs the store with {@code synchronous=NORMAL} and no directory fsync (survives
 * a process crash), against {@code rawNormal} without directory fsync; {@code *Full} runs it with
 * {@code synchronous=FULL} and directory fsyncs (survives power loss), against {@code rawFull} which
 * fsyncs the directory after each rename. {@code writerNormal} is {@code batchNormal} through the
 * {@link BatchWriter}. Every operation writes a new tessera; files are removed
 * between iterations. MB/s = ops/s × fragments × fragmentSize / 10^6.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 4)
// The stores log each open at INFO; the iterations reopen them, so keep the output to the scores.
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class BatchWriteBenchmark {

    @Param("24")
    public int fragments;

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
    private ExecutorService writerThreads;

    @Setup(Level.Trial)
    public void payloads() {
        Random random = new Random(42);
        payloads = new byte[fragments][fragmentSize];
        checksums = new ContentHash[fragments];
        for (int i = 0; i < fragments; i++) {
            random.nextBytes(payloads[i]);
            checksums[i] = Blake3Hashing.hash(payloads[i]);
        }
        writerThreads = Executors.newFixedThreadPool(2);
    }

    @TearDown(Level.Trial)
    public void stopWriterThreads() {
        writerThreads.shutdownNow();
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "target")).toAbsolutePath(), "batch");
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

    @Benchmark
    public List<FragmentInfo> batchNormal() {
        return normalStore.storeAll(batch(tessera(counter.getAndIncrement())));
    }

    /** {@link #batchNormal} through the {@link BatchWriter} (one batch of 24), to show what the writer adds. */
    @Benchmark
    public List<FragmentInfo> writerNormal() throws InterruptedException {
        ContentHash tessera = tessera(counter.getAndIncrement());
        BatchWriter writer = new BatchWriter(normalStore, writerThreads);
        for (int i = 0; i < fragments; i++) {
            writer.write(new FragmentId(tessera, i, false, checksums[i]), ByteBuffer.wrap(payloads[i]));
        }
        return writer.finish();
    }

    @Benchmark
    public FragmentInfo singleNormal() {
        return single(normalStore);
    }

    @Benchmark
    public Path rawNormal() throws IOException {
        return raw(false);
    }

    @Benchmark
    public List<FragmentInfo> batchFull() {
        return fullStore.storeAll(batch(tessera(counter.getAndIncrement())));
    }

    @Benchmark
    public FragmentInfo singleFull() {
        return single(fullStore);
    }

    @Benchmark
    public Path rawFull() throws IOException {
        return raw(true);
    }

    private List<FragmentBytes> batch(ContentHash tessera) {
        List<FragmentBytes> batch = new ArrayList<>(fragments);
        for (int i = 0; i < fragments; i++) {
            batch.add(new FragmentBytes(new FragmentId(tessera, i, false, checksums[i]), ByteBuffer.wrap(payloads[i])));
        }
        return batch;
    }

    private FragmentInfo single(FsFragmentStore store) {
        ContentHash tessera = tessera(counter.getAndIncrement());
        FragmentInfo last = null;
        for (int i = 0; i < fragments; i++) {
            last = store.store(new FragmentId(tessera, i, false, checksums[i]), ByteBuffer.wrap(payloads[i]));
        }
        return last;
    }

    /** What {@code store} does on the file system, without hashing or index, file after file. */
    private Path raw(boolean syncDirectory) throws IOException {
        Path tesseraDir = dir.resolve("raw").resolve(Long.toString(counter.getAndIncrement()));
        Files.createDirectories(tesseraDir);
        if (syncDirectory) {
            fsync(tesseraDir.getParent()); // the new directory's entry, as the store does
        }
        Path target = null;
        for (int i = 0; i < fragments; i++) {
            target = tesseraDir.resolve(String.format("%03d.shard", i));
            Path temp = tesseraDir.resolve("." + target.getFileName() + ".tmp");
            ByteBuffer bytes = ByteBuffer.wrap(payloads[i]);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            if (syncDirectory) {
                fsync(tesseraDir);
            }
        }
        return target;
    }

    private static void fsync(Path directory) throws IOException {
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static ContentHash tessera(long n) {
        byte[] seed = new byte[8];
        ByteBuffer.wrap(seed).putLong(n);
        return Blake3Hashing.hash(seed);
    }
}
