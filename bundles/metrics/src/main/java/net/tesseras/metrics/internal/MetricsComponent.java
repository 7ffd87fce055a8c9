package net.tesseras.metrics.internal;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Dictionary;
import java.util.Hashtable;
import javax.servlet.Servlet;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link MeterRegistry}: a Prometheus registry with JVM, GC, thread and process
 * meters, published as a service (every other bundle references it optionally and dynamically)
 * and scraped at {@code /metrics} on the HTTP Whiteboard, beside {@code /health}. The HTTP address and port are the
 * HTTP service's, set from {@code etc/net.tesseras.metrics.cfg} (127.0.0.1:9190 by default).
 */
@Component(immediate = true, service = {})
public final class MetricsComponent {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsComponent.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ServiceRegistration<MeterRegistry> registryRegistration;
    private final ServiceRegistration<Servlet> servletRegistration;
    private final ServiceRegistration<Servlet> healthRegistration;

    @Activate
    public MetricsComponent(BundleContext context) {
        // Two of Micrometer's own meters break Prometheus naming rules (promtool check metrics):
        // a "_count" gauge and a unit abbreviation. process_cpu_usage keeps the CPU figure.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return "system.cpu.count".equals(id.getName()) ? id.withName("system.cpus") : id;
            }
        }).meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Dictionary<String, Object> registryProperties = new Hashtable<>();
        registryProperties.put(Constants.SERVICE_DESCRIPTION, "Tesseras Prometheus meter registry");
        registryRegistration = context.registerService(MeterRegistry.class, registry, registryProperties);
        Dictionary<String, Object> servletProperties = new Hashtable<>();
        servletProperties.put("osgi.http.whiteboard.servlet.pattern", "/metrics");
        servletProperties.put("osgi.http.whiteboard.servlet.name", "tesseras-metrics");
        servletRegistration = context.registerService(Servlet.class, new MetricsServlet(registry), servletProperties);
        Dictionary<String, Object> healthProperties = new Hashtable<>();
        healthProperties.put("osgi.http.whiteboard.servlet.pattern", "/health");
        healthProperties.put("osgi.http.whiteboard.servlet.name", "tesseras-health");
        healthRegistration = context.registerService(Servlet.class,
                new HealthServlet(context), healthProperties);
        LOG.info("metrics registry published; Prometheus text at /metrics, readiness at /health");
    }

    @Deactivate
    void deactivate() {
        healthRegistration.unregister();
        servletRegistration.unregister();
        registryRegistration.unregister();
        gc.close();
        registry.close();
    }
}
