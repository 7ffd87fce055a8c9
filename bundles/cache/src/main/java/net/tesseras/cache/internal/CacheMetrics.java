package net.tesseras.cache.internal;

import io.micrometer.core.instrument.MeterRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Registers the cache's meters ({@link CacheMeters}) while a Micrometer {@link MeterRegistry}
 * service exists. The only component of the bundle that uses Micrometer: without a registry it
 * simply stays unsatisfied and the cache runs as before.
 *
 * <p>Exactly one constructor: SCR picks the activation constructor by its number of parameters,
 * so a second public one of the same arity made activation depend on reflection order.
 */
@Component(immediate = true)
public final class CacheMetrics {

    private final CacheMeters meters;

    @Activate
    public CacheMetrics(@Reference MeterRegistry registry, @Reference CacheComponent component) {
        meters = new CacheMeters(registry, component.cache());
    }

    @Deactivate
    void close() {
        meters.close();
    }
}
