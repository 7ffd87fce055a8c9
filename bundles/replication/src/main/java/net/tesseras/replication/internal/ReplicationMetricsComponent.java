package net.tesseras.replication.internal;

import io.micrometer.core.instrument.MeterRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Binds replication's meters while a Micrometer {@link MeterRegistry} service exists; the only
 * component of the bundle that touches Micrometer, so replication runs without it.
 */
@Component(immediate = true)
public final class ReplicationMetricsComponent {

    private final ReplicationComponent replication;
    private final MicrometerReplicationMetrics metrics;

    @Activate
    public ReplicationMetricsComponent(@Reference MeterRegistry registry, @Reference ReplicationComponent replication) {
        this.replication = replication;
        this.metrics = new MicrometerReplicationMetrics(registry, replication.totals());
        replication.metrics(metrics);
    }

    @Deactivate
    void deactivate() {
        replication.metrics(null);
        metrics.close();
    }
}
