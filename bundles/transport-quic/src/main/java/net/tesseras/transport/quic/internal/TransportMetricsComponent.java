package net.tesseras.transport.quic.internal;

import io.micrometer.core.instrument.MeterRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Binds the transport's meters while a Micrometer {@link MeterRegistry} service exists; the only
 * component of the bundle that touches Micrometer, so the transport runs without it.
 */
@Component(immediate = true)
public final class TransportMetricsComponent {

    private final TransportComponent transport;
    private final MicrometerTransportMetrics metrics;

    @Activate
    public TransportMetricsComponent(@Reference MeterRegistry registry, @Reference TransportComponent transport) {
        this.transport = transport;
        this.metrics = new MicrometerTransportMetrics(registry, transport::poolSize);
        transport.metrics(metrics);
    }

    @Deactivate
    void deactivate() {
        transport.metrics(null);
        metrics.close();
    }
}
