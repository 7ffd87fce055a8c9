package net.tesseras.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import net.tesseras.tessera.internal.erasure.EncodedPayload;
import net.tesseras.tessera.internal.erasure.PayloadDecoder;
import net.tesseras.tessera.internal.erasure.PayloadEncoder;
import net.tesseras.tessera.internal.erasure.ReedSolomonCoder;
import net.tesseras.tessera.internal.erasure.ShardLayout;
import net.tesseras.tessera.internal.erasure.ShardSource;

/**
 * Shows that encoding and decoding stream: a payload of the given size (default 1 GiB, the Large
 * tier, 48 + 24) is encoded to parity files and decoded back with the most data shards lost, in a
 * heap meant to be far smaller than the payload ({@code -Xmx64m}), and compared byte for byte.
 *
 * <pre>java -Xmx64m -cp bench/target/benchmarks.jar net.tesseras.bench.ErasureMemoryCheck [bytes] [dir]</pre>
 */
public final class ErasureMemoryCheck {

    private ErasureMemoryCheck() {}

    public static void main(String[] args) throws Exception {
        long size = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
        Path dir = Files.createTempDirectory(args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir")),
                "erasure-memory-");
        try {
            run(size, dir);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void run(long size, Path dir) throws Exception {
        Path payload = dir.resolve("payload");
        writeRandom(payload, size);
        ShardLayout layout = ShardLayout.forPayload(size);
        ReedSolomonCoder coder = new ReedSolomonCoder();
        Set<Integer> lost = lostDataShards(layout);
        Path decoded = dir.resolve("decoded");
        long encodeNanos;
        long decodeNanos;
        long start = System.nanoTime();
        try (EncodedPayload encoded = new PayloadEncoder(coder).encode(payload, layout, dir, n -> {})) {
            encodeNanos = System.nanoTime() - start;
            ShardSource source = index -> lost.contains(index) ? Optional.empty() : Optional.of(encoded.open(index));
            start = System.nanoTime();
            try (FileChannel out = FileChannel.open(decoded, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                new PayloadDecoder(coder, PayloadEncoder.DEFAULT_WINDOW, dir).decode(layout, encoded.checksums(), source, out, n -> {});
            }
            decodeNanos = System.nanoTime() - start;
        }
        long mismatch = Files.mismatch(payload, decoded);
        System.out.printf("payload %d bytes, %d data + %d parity, shard %d bytes, data shards lost %s, %s%n", size,
                layout.dataShards(), layout.parityShards(), layout.shardSize(), lost, coder);
        System.out.printf("encode (read, parity, BLAKE3 of every shard): %.1f s, %.0f MB/s%n", encodeNanos / 1e9,
                size / (encodeNanos / 1e3));
        System.out.printf("decode (verify, rebuild, write):              %.1f s, %.0f MB/s%n", decodeNanos / 1e9,
                size / (decodeNanos / 1e3));
        System.out.printf("decoded equals payload: %s%n", mismatch == -1 ? "yes" : "NO, first difference at " + mismatch);
        System.out.printf("max heap %d MiB, peak heap used %d MiB%n", Runtime.getRuntime().maxMemory() >> 20,
                peakHeapUsed() >> 20);
        if (mismatch != -1) {
            System.exit(1);
        }
    }

    private static Set<Integer> lostDataShards(ShardLayout layout) {
        Set<Integer> lost = new java.util.TreeSet<>();
        for (int i = 0; i < layout.parityShards(); i++) {
            lost.add(i * layout.dataShards() / Math.max(1, layout.parityShards()));
        }
        return lost;
    }

    /** Sum of the peak usage of the heap pools (an upper bound of the peak heap in use). */
    private static long peakHeapUsed() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static void writeRandom(Path file, long length) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < length; written += block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long value = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        block[i + b] = (byte) (value >>> (8 * b));
                    }
                }
                out.write(block, 0, (int) Math.min(block.length, length - written));
            }
        }
    }
}
