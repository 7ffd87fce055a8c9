package net.tesseras.transport.quic.internal.pool;

/** What the pool reports to metrics; implementations must be cheap and must not throw. */
public interface PoolListener {

    PoolListener NONE = new PoolListener() {
    };

    default void hit() {
    }

    default void miss() {
    }

    default void evicted(String reason) {
    }
}
