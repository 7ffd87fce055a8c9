package net.tesseras.replication.internal;

/**
 * The replication metrics every collaborator holds, whose target comes and goes with the
 * MeterRegistry service (the metrics bundle may be deployed or removed while the node runs).
 */
final class SwitchableMetrics implements ReplicationMetrics {

    private volatile ReplicationMetrics target = ReplicationMetrics.NONE;

    void target(ReplicationMetrics metrics) {
        this.target = metrics == null ? ReplicationMetrics.NONE : metrics;
    }

    @Override
    public void fragmentSent(long bytes) {
        target.fragmentSent(bytes);
    }

    @Override
    public void fragmentReceived(long bytes) {
        target.fragmentReceived(bytes);
    }

    @Override
    public void refused(String reason) {
        target.refused(reason);
    }

    @Override
    public void sendFailed() {
        target.sendFailed();
    }

    @Override
    public void attestationServed(long nanos) {
        target.attestationServed(nanos);
    }

    @Override
    public void attestationChecked(String outcome) {
        target.attestationChecked(outcome);
    }

    @Override
    public void challengeServed(long bytes, long nanos) {
        target.challengeServed(bytes, nanos);
    }

    @Override
    public void challengeChecked(String outcome, long bytes) {
        target.challengeChecked(outcome, bytes);
    }

    @Override
    public void repairPass(long nanos) {
        target.repairPass(nanos);
    }

    @Override
    public void rebuilt(int fragments) {
        target.rebuilt(fragments);
    }

    @Override
    public void repairPlaced(int fragments, long bytes) {
        target.repairPlaced(fragments, bytes);
    }

    @Override
    public void fetched(int fragments, long bytes) {
        target.fetched(fragments, bytes);
    }
}
