package net.tesseras.storage.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.tesseras.common.metrics.internal.InstrumentedStore;
import net.tesseras.common.metrics.internal.StoreMetricsBinding;
import net.tesseras.storage.internal.fs.ReconcileReport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Measures this bundle's stores while a MeterRegistry service exists (see StoreMetricsBinding), and
 * publishes what each fs store's start-up reconciliation found as
 * {@code tesseras_store_reconcile_findings{store, finding}} (from its registration's
 * {@code reconcile.*} properties).
 */
@Component(immediate = true)
public final class StoreMetricsComponent extends StoreMetricsBinding {

    static final String RECONCILE_FINDINGS = "tesseras.store.reconcile.findings";

    private final MeterRegistry registry;
    private final Map<InstrumentedStore, List<Meter>> findings = new ConcurrentHashMap<>();

    @Activate
    public StoreMetricsComponent(@Reference MeterRegistry registry) {
        super(registry);
        this.registry = registry;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    protected void bindStore(InstrumentedStore store, Map<String, Object> properties) {
        super.bindStore(store);
        List<Meter> meters = new ArrayList<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(ReconcileReport.PROPERTY_PREFIX) && value instanceof Number count) {
                meters.add(Gauge.builder(RECONCILE_FINDINGS, count::doubleValue)
                        .tag("store", store.storeName())
                        .tag("finding", key.substring(ReconcileReport.PROPERTY_PREFIX.length()))
                        .description("What reconciling files and index found at the store's last start")
                        .register(registry));
            }
        });
        List<Meter> previous = findings.put(store, meters);
        if (previous != null) {
            previous.forEach(registry::remove);
        }
    }

    protected void unbindStore(InstrumentedStore store, Map<String, Object> properties) {
        List<Meter> meters = findings.remove(store);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
        super.unbindStore(store);
    }

    @Override
    @Deactivate
    protected void deactivate() {
        findings.values().forEach(meters -> meters.forEach(registry::remove));
        findings.clear();
        super.deactivate();
    }
}
