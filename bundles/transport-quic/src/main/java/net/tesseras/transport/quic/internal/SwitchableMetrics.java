package net.tesseras.transport.quic.internal;

import net.tesseras.transport.ErrorCode;

/**
 * The transport's metrics hook whose target comes and goes with the MeterRegistry service: the
 * transport keeps one instance, the metrics component swaps what it forwards to.
 */
final class SwitchableMetrics implements TransportMetrics {

    private volatile TransportMetrics target = TransportMetrics.NONE;

    void target(TransportMetrics metrics) {
        this.target = metrics == null ? TransportMetrics.NONE : metrics;
    }

    @Override
    public void hit() {
        target.hit();
    }

    @Override
    public void miss() {
        target.miss();
    }

    @Override
    public void evicted(String reason) {
        target.evicted(reason);
    }

    @Override
    public void served(int type, long nanos) {
        target.served(type, nanos);
    }

    @Override
    public void error(ErrorCode code) {
        target.error(code);
    }

    @Override
    public void received(int bytes) {
        target.received(bytes);
    }

    @Override
    public void sent(int bytes) {
        target.sent(bytes);
    }
}
