package net.tesseras.tessera;

/**
 * How a tessera's payload is cut into fragments, chosen by the payload's length (lower bounds
 * inclusive, as in the original): Small payloads travel as one whole fragment, larger ones as
 * Reed-Solomon data and parity shards.
 */
public enum Tier {
    /** Below 4 MiB: one fragment, index 0, holding the whole payload. */
    SMALL(1, 0),
    /** 4 MiB up to, not including, 256 MiB: 16 data and 8 parity shards. */
    MEDIUM(16, 8),
    /** 256 MiB up to and including 10 GiB: 48 data and 24 parity shards. */
    LARGE(48, 24);

    /** Payloads of this many bytes or more are Medium. */
    public static final long MEDIUM_FROM = 4L << 20;

    /** Payloads of this many bytes or more are Large. */
    public static final long LARGE_FROM = 256L << 20;

    /** The largest payload of a tessera: 10 GiB, the original's {@code MAX_TESSERA_SIZE}. */
    public static final long MAX_PAYLOAD = 10L << 30;

    private final int dataShards;
    private final int parityShards;

    Tier(int dataShards, int parityShards) {
        this.dataShards = dataShards;
        this.parityShards = parityShards;
    }

    /** Data shards: fragments {@code 0 .. dataShards - 1}, slices of the payload. */
    public int dataShards() {
        return dataShards;
    }

    /** Parity shards: fragments {@code dataShards .. totalShards - 1}. */
    public int parityShards() {
        return parityShards;
    }

    public int totalShards() {
        return dataShards + parityShards;
    }

    /** The bytes of every fragment: ceil(payload / dataShards); the last data shard is zero-padded. */
    public long shardSize(long payloadLength) {
        return (payloadLength + dataShards - 1) / dataShards;
    }

    /**
     * The tier of a payload of the given length.
     *
     * @throws IllegalArgumentException when the length is negative, zero or above {@link #MAX_PAYLOAD}
     */
    public static Tier forPayload(long payloadLength) {
        if (payloadLength <= 0) {
            throw new IllegalArgumentException("a tessera payload has at least one byte, not " + payloadLength);
        }
        if (payloadLength > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a tessera payload of " + payloadLength
                    + " bytes is larger than the largest tier takes (" + MAX_PAYLOAD
                    + " bytes, 10 GiB); split the files over several tesseras");
        }
        if (payloadLength < MEDIUM_FROM) {
            return SMALL;
        }
        return payloadLength < LARGE_FROM ? MEDIUM : LARGE;
    }
}
