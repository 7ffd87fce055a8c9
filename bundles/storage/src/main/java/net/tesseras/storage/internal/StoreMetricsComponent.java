package net.tesseras.storage.internal;

import io.micrometer.core.instrument.MeterRegistry;
import net.tesseras.common.metrics.internal.InstrumentedStore;
import net.tesseras.common.metrics.internal.StoreMetricsBinding;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Measures this bundle's stores while a MeterRegistry service exists (see StoreMetricsBinding). */
@Component(immediate = true)
public final class StoreMetricsComponent extends StoreMetricsBinding {

    @Activate
    public StoreMetricsComponent(@Reference MeterRegistry registry) {
        super(registry);
    }

    @Override
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    protected void bindStore(InstrumentedStore store) {
        super.bindStore(store);
    }

    @Override
    protected void unbindStore(InstrumentedStore store) {
        super.unbindStore(store);
    }

    @Override
    @Deactivate
    protected void deactivate() {
        super.deactivate();
    }
}
