package net.tesseras.transport.quic.internal;

import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.quic.internal.pool.PoolListener;

/**
 * What the transport reports, free of Micrometer so the bundle runs without it. Called on network
 * threads and workers: implementations must be cheap and must not throw.
 */
public interface TransportMetrics extends PoolListener {

    TransportMetrics NONE = new TransportMetrics() {
    };

    /** A request this node served, by type, from its arrival to its answer being written. */
    default void served(int type, long nanos) {
    }

    /** An ERROR (or OVERLOADED) this node answered with. */
    default void error(ErrorCode code) {
    }

    default void received(int bytes) {
    }

    default void sent(int bytes) {
    }
}
