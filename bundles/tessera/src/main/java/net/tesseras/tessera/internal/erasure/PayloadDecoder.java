package net.tesseras.tessera.internal.erasure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.erasure.InsufficientShardsException;

/**
 * Joins a payload back from its shards and rebuilds lost shards, streaming in windows so memory
 * stays bounded whatever the payload's size. Safe for concurrent use.
 *
 * <p>Only checked bytes reach the output: every shard used is first read whole and matched
 * against its checksum (a missing, damaged, unreadable or wrong-length shard is skipped and the
 * next one tried), lost data shards are rebuilt to temporary files in the work directory and
 * matched against their checksums too, and only then is the payload written. Shards are read
 * again while the payload is written and re-hashed; should one change between the two reads (the
 * storage under it failing right then), decode throws and the output written so far must be
 * discarded, so callers that cannot unwrite {@code out} write to a temporary file first.
 */
public final class PayloadDecoder {

    private final ErasureCoder coder;
    private final int windowSize;
    private final Path workDir;

    /** Windows of {@link PayloadEncoder#DEFAULT_WINDOW}, temporary files in {@code java.io.tmpdir}. */
    public PayloadDecoder(ErasureCoder coder) {
        this(coder, PayloadEncoder.DEFAULT_WINDOW, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * @param windowSize bytes of each shard held in memory at once, at least 1
     * @param workDir where rebuilt data shards wait while a decode writes the payload
     */
    public PayloadDecoder(ErasureCoder coder, int windowSize, Path workDir) {
        this.coder = Objects.requireNonNull(coder, "coder");
        if (windowSize < 1) {
            throw new IllegalArgumentException("the window must be at least 1 byte, not " + windowSize);
        }
        this.windowSize = windowSize;
        this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /**
     * Writes exactly {@code layout.payloadLength()} bytes of the payload to {@code out}, from any
     * {@code dataShards} good shards (data shards preferred: with all of them good nothing is
     * decoded).
     *
     * @param checksums the checksum of every shard, in index order
     * @param progressBytes told of the payload bytes as they are written (increments)
     * @return the shards that were tried and could not be used (missing, damaged, of the wrong
     *     length or unreadable), by index with the reason; empty when the data shards were all good
     * @throws InsufficientShardsException before anything is written, if fewer than {@code
     *     dataShards} good shards are found; the message names each missing or bad one
     * @throws IOException if writing fails, or if a shard changed after it was checked (then the
     *     output is incomplete or wrong and must be discarded)
     */
    public Map<Integer, String> decode(ShardLayout layout, List<ContentHash> checksums, ShardSource source,
            WritableByteChannel out, LongConsumer progressBytes) throws IOException, InsufficientShardsException {
        checkChecksums(layout, checksums);
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(progressBytes, "progressBytes");
        byte[] buffer = new byte[window(layout)];
        try (VerifiedShards inputs = VerifiedShards.select(layout, checksums, source, Set.of(), buffer)) {
            List<Integer> lost = new ArrayList<>();
            for (int i = 0; i < layout.dataShards(); i++) {
                if (!inputs.has(i)) {
                    lost.add(i);
                }
            }
            Path rebuiltDir = lost.isEmpty() ? null : Files.createTempDirectory(workDir, "decode-");
            try {
                Map<Integer, Path> rebuilt = lost.isEmpty() ? Map.of()
                        : rebuildFrom(layout, checksums, inputs, lost, rebuiltDir);
                for (int i = 0; i < layout.dataShards(); i++) {
                    long keep = layout.dataLength(i);
                    Path file = rebuilt.get(i);
                    if (file != null) {
                        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                            copy(channel, keep, keep, null, i, buffer, out, progressBytes);
                        }
                    } else {
                        copy(inputs.rewound(i), layout.shardSize(), keep, checksums.get(i), i, buffer, out, progressBytes);
                    }
                }
                return inputs.unusable();
            } finally {
                if (rebuiltDir != null) {
                    deleteTree(rebuiltDir);
                }
            }
        }
    }

    /**
     * Regenerates shards {@code indices} (data or parity) from other good shards of {@code
     * source}, as files {@code NNN.shard} (index, three digits) in {@code directory}, each checked
     * against its checksum before it is put in place (an existing file of that name is replaced).
     *
     * @return the file of every rebuilt shard, by index
     * @throws InsufficientShardsException if fewer than {@code dataShards} good shards are found
     *     among the others; no file is written then
     * @throws IOException if a file cannot be written, or a rebuilt shard does not match its
     *     checksum (the checksums are not those of one encoding); no file is left then
     */
    public Map<Integer, Path> rebuild(ShardLayout layout, List<ContentHash> checksums, ShardSource source,
            Collection<Integer> indices, Path directory) throws IOException, InsufficientShardsException {
        checkChecksums(layout, checksums);
        Set<Integer> targets = new TreeSet<>();
        for (int index : indices) {
            layout.checkIndex(index);
            targets.add(index);
        }
        if (targets.isEmpty()) {
            return Map.of();
        }
        byte[] buffer = new byte[window(layout)];
        try (VerifiedShards inputs = VerifiedShards.select(layout, checksums, source, targets, buffer)) {
            return rebuildFrom(layout, checksums, inputs, targets, directory);
        }
    }

    /** One pass over the chosen inputs, writing every target's windows as they come. */
    private Map<Integer, Path> rebuildFrom(ShardLayout layout, List<ContentHash> checksums, VerifiedShards inputs,
            Collection<Integer> targets, Path directory) throws IOException {
        int total = layout.totalShards();
        int window = window(layout);
        byte[][] shards = new byte[total][];
        boolean[] present = new boolean[total];
        Blake3[] hashers = new Blake3[total];
        Map<Integer, ReadableByteChannel> in = new LinkedHashMap<>();
        for (int index : inputs.indices()) {
            shards[index] = new byte[window];
            present[index] = true;
            hashers[index] = new Blake3();
            in.put(index, inputs.rewound(index));
        }
        Map<Integer, Path> parts = new LinkedHashMap<>();
        Map<Integer, FileChannel> outs = new LinkedHashMap<>();
        boolean done = false;
        try {
            for (int index : targets) {
                shards[index] = new byte[window];
                hashers[index] = new Blake3();
                Path part = directory.resolve(String.format("%03d.shard.part", index));
                parts.put(index, part);
                outs.put(index, FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE));
            }
            long shardSize = layout.shardSize();
            for (long offset = 0; offset < shardSize; offset += window) {
                int n = (int) Math.min(window, shardSize - offset);
                for (Map.Entry<Integer, ReadableByteChannel> input : in.entrySet()) {
                    int index = input.getKey();
                    ShardIo.readFully(input.getValue(), shards[index], n, "shard " + index);
                    hashers[index].update(shards[index], 0, n);
                }
                try {
                    coder.reconstruct(layout.dataShards(), layout.parityShards(), shards, present, 0, n);
                } catch (net.tesseras.erasure.InsufficientShardsException e) {
                    throw new IllegalStateException("verified shards were refused by the coder", e);
                }
                for (Map.Entry<Integer, FileChannel> target : outs.entrySet()) {
                    int index = target.getKey();
                    hashers[index].update(shards[index], 0, n);
                    ShardIo.writeFully(target.getValue(), shards[index], n);
                }
            }
            for (int index : in.keySet()) {
                if (!hashers[index].finish().equals(checksums.get(index))) {
                    throw new IOException("shard " + index + " changed while it was read (it matched its checksum just before); "
                            + "its storage may be failing: try again");
                }
            }
            for (int index : targets) {
                if (!hashers[index].finish().equals(checksums.get(index))) {
                    throw new IOException("rebuilt shard " + index + " does not match its checksum although every shard used did: "
                            + "the checksums do not belong to one encoding of this layout");
                }
            }
            for (FileChannel out : outs.values()) {
                out.force(false);
                out.close();
            }
            Map<Integer, Path> rebuilt = new LinkedHashMap<>();
            for (Map.Entry<Integer, Path> part : parts.entrySet()) {
                Path file = directory.resolve(String.format("%03d.shard", part.getKey()));
                Files.move(part.getValue(), file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                rebuilt.put(part.getKey(), file);
            }
            done = true;
            return rebuilt;
        } finally {
            if (!done) {
                for (FileChannel out : outs.values()) {
                    out.close();
                }
                for (Path part : parts.values()) {
                    Files.deleteIfExists(part);
                }
            }
        }
    }

    /**
     * Copies the first {@code keep} bytes of a shard to {@code out}; when {@code checksum} is given,
     * reads the whole shard and throws at the end if it no longer matches.
     */
    private static void copy(ReadableByteChannel shard, long read, long keep, ContentHash checksum, int index,
            byte[] buffer, WritableByteChannel out, LongConsumer progressBytes) throws IOException {
        Blake3 hasher = checksum == null ? null : new Blake3();
        long done = 0;
        while (done < read) {
            int n = (int) Math.min(buffer.length, read - done);
            ShardIo.readFully(shard, buffer, n, "shard " + index);
            if (hasher != null) {
                hasher.update(buffer, 0, n);
            }
            int useful = (int) Math.max(0, Math.min(n, keep - done));
            if (useful > 0) {
                ShardIo.writeFully(out, buffer, useful);
                progressBytes.accept(useful);
            }
            done += n;
        }
        if (hasher != null && !hasher.finish().equals(checksum)) {
            throw new IOException("shard " + index + " changed while the payload was written (it matched its checksum "
                    + "just before); the output is wrong: discard it and try again");
        }
    }

    private int window(ShardLayout layout) {
        return (int) Math.min(windowSize, layout.shardSize());
    }

    private static void checkChecksums(ShardLayout layout, List<ContentHash> checksums) {
        if (checksums.size() != layout.totalShards()) {
            throw new IllegalArgumentException("a " + layout.dataShards() + " + " + layout.parityShards()
                    + " layout needs " + layout.totalShards() + " checksums, not " + checksums.size());
        }
        for (int i = 0; i < checksums.size(); i++) {
            Objects.requireNonNull(checksums.get(i), "checksum of shard " + i);
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(directory);
    }
}
