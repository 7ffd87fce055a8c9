package net.tesseras.erasure;

/**
 * Too few good shards remain to rebuild a payload or a shard: an erasure code with {@code n} data
 * shards needs any {@code n} of its shards. The message names what was missing; the caller can
 * fetch more shards and try again.
 */
public class InsufficientShardsException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int available;
    private final int needed;

    /**
     * @param available good shards that were at hand
     * @param needed shards the code needs (its data shard count)
     * @param message what was missing or damaged, and what to do
     */
    public InsufficientShardsException(int available, int needed, String message) {
        super(message);
        this.available = available;
        this.needed = needed;
    }

    /** Good shards that were at hand. */
    public int available() {
        return available;
    }

    /** Shards needed: the number of data shards of the code. */
    public int needed() {
        return needed;
    }
}
