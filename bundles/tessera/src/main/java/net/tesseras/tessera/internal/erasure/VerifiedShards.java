package net.tesseras.tessera.internal.erasure;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.erasure.InsufficientShardsException;

/**
 * The good shards a decode or rebuild reads from: the first {@code dataShards} shards in index
 * order (data shards first, so an intact payload needs no decoding) that have the right length
 * and match their checksum. Each is read and hashed whole before it is used, so a damaged shard
 * is treated as missing and never reaches the output. Holds the chosen channels open; closing
 * this closes them.
 */
final class VerifiedShards implements Closeable {

    private final Map<Integer, SeekableByteChannel> channels;
    private final Map<Integer, String> unusable;

    private VerifiedShards(Map<Integer, SeekableByteChannel> channels, Map<Integer, String> unusable) {
        this.channels = channels;
        this.unusable = unusable;
    }

    /**
     * Picks and checks shards, skipping {@code excluded} (the ones being rebuilt).
     *
     * @throws InsufficientShardsException naming every missing, damaged or unreadable shard when
     *     fewer than {@code dataShards} good ones are found
     */
    static VerifiedShards select(ShardLayout layout, List<ContentHash> checksums, ShardSource source,
            Set<Integer> excluded, byte[] buffer) throws IOException, InsufficientShardsException {
        Map<Integer, SeekableByteChannel> good = new TreeMap<>();
        Map<Integer, String> problems = new TreeMap<>();
        try {
            for (int i = 0; i < layout.totalShards() && good.size() < layout.dataShards(); i++) {
                if (excluded.contains(i)) {
                    continue;
                }
                SeekableByteChannel channel = null;
                String problem;
                try {
                    Optional<SeekableByteChannel> opened = source.open(i);
                    channel = opened.orElse(null);
                    problem = channel == null ? "missing" : check(channel, layout.shardSize(), checksums.get(i), buffer);
                } catch (IOException e) {
                    problem = "unreadable (" + e.getMessage() + ")";
                }
                if (problem == null) {
                    good.put(i, channel);
                } else {
                    problems.put(i, problem);
                    if (channel != null) {
                        closeQuietly(channel);
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            good.values().forEach(VerifiedShards::closeQuietly);
            throw e;
        }
        if (good.size() < layout.dataShards()) {
            good.values().forEach(VerifiedShards::closeQuietly);
            throw insufficient(layout, good.size(), problems, excluded);
        }
        return new VerifiedShards(good, problems);
    }

    /** The reason a shard cannot be used, or null if it is good. */
    private static String check(SeekableByteChannel channel, long shardSize, ContentHash checksum, byte[] buffer)
            throws IOException {
        long size = channel.size();
        if (size != shardSize) {
            return "wrong length (" + size + " bytes, expected " + shardSize + ")";
        }
        channel.position(0);
        Blake3 hasher = new Blake3();
        long remaining = shardSize;
        while (remaining > 0) {
            int n = (int) Math.min(buffer.length, remaining);
            try {
                ShardIo.readFully(channel, buffer, n, "the shard");
            } catch (IOException e) {
                return "wrong length (" + e.getMessage() + ")";
            }
            hasher.update(buffer, 0, n);
            remaining -= n;
        }
        if (!hasher.finish().equals(checksum)) {
            return "damaged (checksum mismatch)";
        }
        return null;
    }

    private static InsufficientShardsException insufficient(ShardLayout layout, int found, Map<Integer, String> problems,
            Set<Integer> excluded) {
        List<String> reasons = new ArrayList<>();
        problems.forEach((index, problem) -> reasons.add("shard " + index + " " + problem));
        String rebuilding = excluded.isEmpty() ? "" : " (not counting shards " + new java.util.TreeSet<>(excluded) + ", which are being rebuilt)";
        return new InsufficientShardsException(found, layout.dataShards(), "a payload of " + layout.payloadLength()
                + " bytes in " + layout.dataShards() + " data + " + layout.parityShards() + " parity shards needs "
                + layout.dataShards() + " good shards but only " + found + " were found" + rebuilding + ": "
                + String.join(", ", reasons) + "; fetch more shards and try again");
    }

    /** The shards tried and found missing, damaged, of the wrong length or unreadable, with why. */
    Map<Integer, String> unusable() {
        return java.util.Collections.unmodifiableMap(unusable);
    }

    Set<Integer> indices() {
        return channels.keySet();
    }

    boolean has(int index) {
        return channels.containsKey(index);
    }

    /** The channel of a chosen shard, positioned at its start. */
    SeekableByteChannel rewound(int index) throws IOException {
        return channels.get(index).position(0);
    }

    @Override
    public void close() {
        channels.values().forEach(VerifiedShards::closeQuietly);
    }

    private static void closeQuietly(SeekableByteChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing to do: the shard was only read.
        }
    }
}
