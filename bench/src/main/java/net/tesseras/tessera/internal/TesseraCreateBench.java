package net.tesseras.tessera.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.internal.erasure.EncodedPayload;
import net.tesseras.tessera.internal.erasure.PayloadEncoder;
import net.tesseras.tessera.internal.erasure.ReedSolomonCoder;
import net.tesseras.tessera.internal.erasure.ShardLayout;
import net.tesseras.testkit.TestIdentity;
import org.apache.commons.io.file.PathUtils;
import org.apache.commons.io.file.StandardDeleteOption;

/**
 * Creating a tessera from files, end to end through the node's service (hash, tar, Reed-Solomon,
 * durable stores into the fs backend), side by side in one run with the parts it is made of, each
 * run alone on the same bytes: BLAKE3 of the files, encoding a payload of the same size, and durable
 * writes (tmp + write + fsync + rename, then one directory fsync) of the same fragments. Reports
 * MB/s of the files and the ratio of end to end against the sum of the parts; then the export of
 * the tessera back to files. Run with a small {@code -Xmx} to see both stream.
 *
 * <pre>java -cp bench/target/benchmarks.jar net.tesseras.tessera.internal.TesseraCreateBench [MiB] [rounds] [dir]</pre>
 */
public final class TesseraCreateBench {

    private TesseraCreateBench() {}

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path root = Files.createTempDirectory(args.length > 2 ? Path.of(args[2]) : Path.of("."), "tessera-create-bench-");
        try {
            run(root, (long) mib << 20, rounds);
        } finally {
            PathUtils.deleteDirectory(root, StandardDeleteOption.OVERRIDE_READ_ONLY);
        }
    }

    private static void run(Path root, long bytes, int rounds) throws Exception {
        Path photos = root.resolve("photos");
        List<Path> files = writeFiles(photos, bytes);
        ErasureCoder coder = new ReedSolomonCoder();
        NodeIdentity identity = new TestIdentity();
        ExecutorService executor = Executors.newFixedThreadPool(4);
        double[] hash = new double[rounds];
        double[] encode = new double[rounds];
        double[] write = new double[rounds];
        double[] endToEnd = new double[rounds];
        double[] export = new double[rounds];
        long payloadLength = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                Path data = Files.createDirectories(root.resolve("data-" + round));
                try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(data.resolve("db/tesseras.db")))) {
                    FsFragmentStore fs = FsFragmentStore.open("fs", data.resolve("fragments"), db, 0, true);
                    NodeTesseras tesseras = new NodeTesseras(new TesseraTable(db), Collaborators.fixed(fs, identity, coder),
                            data.resolve("tmp"), WriterLimits.DEFAULT, executor, Clock.systemUTC());
                    long start = System.nanoTime();
                    TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
                    endToEnd[round] = seconds(start);
                    payloadLength = info.payloadLength();
                    start = System.nanoTime();
                    tesseras.export(info.hash(), root.resolve("exported-" + round), TesseraProgress.NONE);
                    export[round] = seconds(start);
                    PathUtils.deleteDirectory(root.resolve("exported-" + round));
                    fs.close();
                }

                long start = System.nanoTime();
                for (Path file : files) {
                    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                        Blake3Hashing.hash(in);
                    }
                }
                hash[round] = seconds(start);

                Path payload = root.resolve("payload-" + round);
                copyFiles(files, payload, payloadLength);
                ShardLayout layout = ShardLayout.forPayload(payloadLength);
                Path work = Files.createDirectories(root.resolve("work-" + round));
                start = System.nanoTime();
                try (EncodedPayload encoded = new PayloadEncoder(coder).encode(payload, layout, work, n -> {})) {
                    encode[round] = seconds(start);
                    Path shards = Files.createDirectories(root.resolve("raw-" + round));
                    start = System.nanoTime();
                    rawDurableWrites(encoded, layout, shards);
                    write[round] = seconds(start);
                }
                Files.delete(payload);
            }
        } finally {
            executor.shutdownNow();
        }
        double mb = bytes / 1e6;
        double h = median(hash);
        double e = median(encode);
        double w = median(write);
        double all = median(endToEnd);
        System.out.printf(Locale.ROOT, "%d MiB of files in %d files, payload %d bytes (%s), median of %d rounds%n",
                bytes >> 20, files.size(), payloadLength, ShardLayout.forPayload(payloadLength), rounds);
        System.out.printf(Locale.ROOT, "%-32s %8s %10s%n", "part", "seconds", "MB/s");
        row("hash the files (BLAKE3)", h, mb);
        row("encode the payload (RS)", e, mb);
        row("durable writes of the shards", w, mb);
        row("sum of the parts", h + e + w, mb);
        row("create, end to end", all, mb);
        System.out.printf(Locale.ROOT, "end to end / sum of parts: %.2fx the throughput%n", (h + e + w) / all);
        row("export, end to end", median(export), mb);
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "heap: max %d MiB, peak in use %d MiB (sum of the heap pools' peaks)%n",
                Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
        System.out.println("rounds end to end: " + Arrays.toString(endToEnd));
    }

    private static void row(String name, double seconds, double mb) {
        System.out.printf(Locale.ROOT, "%-32s %8.2f %10.1f%n", name, seconds, mb / seconds);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Sixteen files (photos and films of a family) of random bytes, the given total. */
    private static List<Path> writeFiles(Path dir, long total) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(42);
        long each = total / 16;
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < 16; i++) {
            Path file = dir.resolve(String.format(Locale.ROOT, "film-%02d.mp4", i));
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long left = each; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    out.write(ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, left)));
                }
            }
            files.add(file);
        }
        return files;
    }

    /** A payload file of the end-to-end run's length, from the files' bytes. */
    private static void copyFiles(List<Path> files, Path payload, long length) throws IOException {
        try (FileChannel out = FileChannel.open(payload, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long written = 0;
            for (Path file : files) {
                try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                    written += in.transferTo(0, in.size(), out);
                }
            }
            out.write(ByteBuffer.allocate((int) Math.max(0, length - written)), written);
            out.truncate(length);
        }
    }

    /** What a store does to keep a fragment, without the index: tmp, write, fsync, rename; one directory fsync. */
    private static void rawDurableWrites(EncodedPayload encoded, ShardLayout layout, Path dir) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        for (int index = 0; index < layout.totalShards(); index++) {
            Path tmp = dir.resolve(index + ".tmp");
            try (var in = encoded.open(index);
                    FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (in.read(buffer.clear()) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
                out.force(true);
            }
            Files.move(tmp, dir.resolve(String.format(Locale.ROOT, "%03d.shard", index)), StandardCopyOption.ATOMIC_MOVE);
        }
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
