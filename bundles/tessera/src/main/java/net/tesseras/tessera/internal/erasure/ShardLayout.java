package net.tesseras.tessera.internal.erasure;

import net.tesseras.erasure.ErasureCoder;
import net.tesseras.tessera.Tier;

/**
 * How a payload is cut into shards: {@code dataShards} slices of {@link #shardSize()} bytes each
 * (the last ones zero-padded past the payload's end) and {@code parityShards} parity shards of the
 * same size. Shard {@code i < dataShards} holds payload bytes {@code [i * shardSize, (i + 1) *
 * shardSize)}. The Small tier is 1 data + 0 parity: its one shard is the whole payload.
 */
public record ShardLayout(int dataShards, int parityShards, long payloadLength) {

    public ShardLayout {
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > ErasureCoder.MAX_SHARDS) {
            throw new IllegalArgumentException("a shard layout needs at least 1 data shard, no negative parity count and at most "
                    + ErasureCoder.MAX_SHARDS + " shards in all, not " + dataShards + " data + " + parityShards + " parity");
        }
        if (payloadLength < 1) {
            throw new IllegalArgumentException("a payload has at least one byte, not " + payloadLength);
        }
    }

    /** The layout of a payload of this length in the given tier. */
    public static ShardLayout of(Tier tier, long payloadLength) {
        return new ShardLayout(tier.dataShards(), tier.parityShards(), payloadLength);
    }

    /** The layout of a payload of this length in the tier its length selects. */
    public static ShardLayout forPayload(long payloadLength) {
        return of(Tier.forPayload(payloadLength), payloadLength);
    }

    /** Bytes of every shard: ceil(payloadLength / dataShards). */
    public long shardSize() {
        return (payloadLength + dataShards - 1) / dataShards;
    }

    public int totalShards() {
        return dataShards + parityShards;
    }

    public boolean isParity(int index) {
        checkIndex(index);
        return index >= dataShards;
    }

    /** Where data shard {@code index} starts in the payload. */
    public long dataStart(int index) {
        checkDataIndex(index);
        return index * shardSize();
    }

    /** Payload bytes in data shard {@code index}; the rest of the shard, if any, is zero padding. */
    public long dataLength(int index) {
        checkDataIndex(index);
        return Math.max(0, Math.min(shardSize(), payloadLength - dataStart(index)));
    }

    /** Refuses an index outside {@code 0 .. totalShards - 1}. */
    public void checkIndex(int index) {
        if (index < 0 || index >= totalShards()) {
            throw new IllegalArgumentException("shard index " + index + " is outside 0.." + (totalShards() - 1)
                    + " of a " + dataShards + " + " + parityShards + " layout");
        }
    }

    private void checkDataIndex(int index) {
        if (index < 0 || index >= dataShards) {
            throw new IllegalArgumentException("shard " + index + " is not a data shard of a " + dataShards + " + "
                    + parityShards + " layout");
        }
    }
}
