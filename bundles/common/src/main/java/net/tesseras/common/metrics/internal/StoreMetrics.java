package net.tesseras.common.metrics.internal;

/**
 * What a store reports about its work. Free of Micrometer types on purpose: stores call it on every
 * operation whether or not a metrics registry exists ({@link #NONE} until one does).
 */
public interface StoreMetrics {

    /** Reports nothing. */
    StoreMetrics NONE = new StoreMetrics() {
        @Override
        public void read(long nanos, long bytes) {}

        @Override
        public void write(long nanos, long bytes) {}

        @Override
        public void delete(long nanos) {}

        @Override
        public void verify(long nanos, int fragments, int corrupt, int missing) {}

        @Override
        public void error(String operation) {}
    };

    /** A read that took {@code nanos}; {@code bytes} is -1 when the fragment was not there. */
    void read(long nanos, long bytes);

    void write(long nanos, long bytes);

    void delete(long nanos);

    void verify(long nanos, int fragments, int corrupt, int missing);

    /** An operation failed (its exception goes on to the caller). */
    void error(String operation);
}
