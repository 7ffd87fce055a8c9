package net.tesseras.transport.quic.internal.pool;

/** A connection as the pool handles it. */
public interface Pooled {

    /** Requests sent on it and not answered yet, or served for the peer and not finished. */
    int inFlight();

    boolean isOpen();

    /** Closes it, telling the peer why ("idle", "pool-full", ...). */
    void close(String reason);
}
