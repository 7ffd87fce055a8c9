package net.tesseras.replication.internal.placement;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.replication.internal.ReplicationMetrics;

/** Records what placement counts, for tests. */
final class RecordingMetrics implements ReplicationMetrics {
    final List<String> refused = new CopyOnWriteArrayList<>();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong sendFailed = new AtomicLong();

    @Override
    public void refused(String reason) {
        refused.add(reason);
    }

    @Override
    public void fragmentSent(long bytes) {
        sent.addAndGet(bytes);
    }

    @Override
    public void fragmentReceived(long bytes) {
        received.addAndGet(bytes);
    }

    @Override
    public void sendFailed() {
        sendFailed.incrementAndGet();
    }
}
