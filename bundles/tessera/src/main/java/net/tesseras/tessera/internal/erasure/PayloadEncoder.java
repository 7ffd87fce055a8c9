package net.tesseras.tessera.internal.erasure;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.erasure.ErasureCoder;

/**
 * Cuts a payload file into shards and computes their parity and checksums, streaming: it reads the
 * payload once, one window of every data shard at a time, so memory stays at {@code windowSize}
 * bytes per shard whatever the payload's size. Parity goes to one temporary file per parity shard.
 * Safe for concurrent use.
 */
public final class PayloadEncoder {

    /** Bytes per shard per window unless told otherwise: 64 KiB (1.5 MiB of buffers for 16 + 8). */
    public static final int DEFAULT_WINDOW = 64 * 1024;

    private final ErasureCoder coder;
    private final int windowSize;

    public PayloadEncoder(ErasureCoder coder) {
        this(coder, DEFAULT_WINDOW);
    }

    /** @param windowSize bytes of each shard held in memory at once, at least 1 */
    public PayloadEncoder(ErasureCoder coder, int windowSize) {
        this.coder = Objects.requireNonNull(coder, "coder");
        if (windowSize < 1) {
            throw new IllegalArgumentException("the window must be at least 1 byte, not " + windowSize);
        }
        this.windowSize = windowSize;
    }

    /**
     * Encodes {@code payloadFile}, which must be exactly {@code layout.payloadLength()} bytes and
     * must not change until the result is closed.
     *
     * @param workDir where the parity files go (one per parity shard, deleted by {@link
     *     EncodedPayload#close()})
     * @param progressBytes told of every window's payload bytes as they are read (increments)
     * @throws IOException if the payload cannot be read, is not of the layout's length, or the
     *     parity cannot be written; no temporary file is left behind then
     */
    public EncodedPayload encode(Path payloadFile, ShardLayout layout, Path workDir, LongConsumer progressBytes)
            throws IOException {
        Objects.requireNonNull(progressBytes, "progressBytes");
        List<Path> parityFiles = new ArrayList<>();
        boolean done = false;
        try (FileChannel payload = FileChannel.open(payloadFile, StandardOpenOption.READ)) {
            if (payload.size() != layout.payloadLength()) {
                throw new IOException("payload " + payloadFile + " has " + payload.size() + " bytes but the layout is for "
                        + layout.payloadLength() + "; encode the file the layout was made for");
            }
            for (int j = 0; j < layout.parityShards(); j++) {
                parityFiles.add(Files.createTempFile(workDir, String.format("parity-%03d-", layout.dataShards() + j), ".shard"));
            }
            List<ContentHash> checksums = encode(payload, layout, parityFiles, progressBytes);
            done = true;
            return new EncodedPayload(payloadFile, layout, checksums, parityFiles);
        } finally {
            if (!done) {
                for (Path file : parityFiles) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private List<ContentHash> encode(FileChannel payload, ShardLayout layout, List<Path> parityFiles,
            LongConsumer progressBytes) throws IOException {
        int dataShards = layout.dataShards();
        int parityShards = layout.parityShards();
        long shardSize = layout.shardSize();
        int window = (int) Math.min(windowSize, shardSize);
        byte[][] data = new byte[dataShards][window];
        byte[][] parity = new byte[parityShards][window];
        Blake3[] hashers = new Blake3[layout.totalShards()];
        Arrays.setAll(hashers, i -> new Blake3());
        FileChannel[] parityOut = new FileChannel[parityShards];
        // BLAKE3 of the data windows runs on a second thread while this one computes, hashes and
        // writes the parity of the same windows: hashing, not the coder, bounds encoding.
        ExecutorService dataHashing = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tesseras-encode-hash");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int j = 0; j < parityShards; j++) {
                parityOut[j] = FileChannel.open(parityFiles.get(j), StandardOpenOption.WRITE);
            }
            for (long offset = 0; offset < shardSize; offset += window) {
                int n = (int) Math.min(window, shardSize - offset);
                long read = 0;
                for (int i = 0; i < dataShards; i++) {
                    int payloadBytes = (int) Math.max(0, Math.min(n, layout.dataLength(i) - offset));
                    readAt(payload, layout.dataStart(i) + offset, data[i], payloadBytes);
                    Arrays.fill(data[i], payloadBytes, n, (byte) 0);
                    read += payloadBytes;
                }
                Future<?> dataHashed = dataHashing.submit(() -> {
                    for (int i = 0; i < dataShards; i++) {
                        hashers[i].update(data[i], 0, n);
                    }
                });
                coder.encode(dataShards, parityShards, data, parity, 0, n);
                for (int j = 0; j < parityShards; j++) {
                    hashers[dataShards + j].update(parity[j], 0, n);
                    ShardIo.writeFully(parityOut[j], parity[j], n);
                }
                // The data arrays are refilled for the next window only once they are hashed.
                awaitHashing(dataHashed);
                progressBytes.accept(read);
            }
        } finally {
            dataHashing.shutdownNow();
            for (FileChannel out : parityOut) {
                if (out != null) {
                    out.close();
                }
            }
        }
        List<ContentHash> checksums = new ArrayList<>(hashers.length);
        for (Blake3 hasher : hashers) {
            checksums.add(hasher.finish());
        }
        return checksums;
    }

    private static void awaitHashing(Future<?> hashing) throws IOException {
        try {
            hashing.get();
        } catch (InterruptedException e) {
            hashing.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("encoding was interrupted");
        } catch (ExecutionException e) {
            throw new IOException("hashing the data shards failed: " + e.getCause(), e.getCause());
        }
    }

    private static void readAt(FileChannel file, long position, byte[] target, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(target, 0, length);
        while (buffer.hasRemaining()) {
            if (file.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("the payload file ended at " + (position + buffer.position())
                        + " bytes; was it changed while being encoded?");
            }
        }
    }
}
